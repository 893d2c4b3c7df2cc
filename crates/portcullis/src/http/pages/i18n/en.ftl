# The hosted pages' text in English: the reference catalogue. Message ids
# are Auth0's screen and text key (`<screen>__<key>`), the prompts' custom
# text (`/api/v2/prompts/{prompt}/custom-text/{language}`) overrides them.
# Every id here must be in every other catalogue (a test checks).

common__footerText = Secured by Portcullis
common__showPasswordText = Show password
common__separatorText = or
common__technicalDetails = Technical details

login__pageTitle = Log in
login__title = Welcome
login__description = Log in to continue to { $clientName }.
login__emailPlaceholder = Email address
login__usernamePlaceholder = Username or email address
login__passwordPlaceholder = Password
login__buttonText = Continue
login__federatedConnectionButtonText = Continue with { $connectionName }
login__passkeyButtonText = Continue with a passkey
login__forgotPasswordText = Forgot password?
login__signupActionText = Don't have an account?
login__signupActionLinkText = Sign up
login__memberNote = Dashboard members are added, and their passwords reset, by an administrator.
login__wrong-credentials = Wrong email or password.
login__no-credentials = Enter your email address and password.

login-id__pageTitle = Log in
login-id__title = Welcome
login-id__description = Log in to continue to { $clientName }.
login-id__emailPlaceholder = Email address
login-id__usernamePlaceholder = Username or email address
login-id__buttonText = Continue
login-id__signupActionText = Don't have an account?
login-id__signupActionLinkText = Sign up
login-id__no-email = Enter your email address.

login-password__pageTitle = Enter your password
login-password__title = Enter your password
login-password__description = Enter your password for { $clientName } to continue.
login-password__passwordPlaceholder = Password
login-password__buttonText = Continue
login-password__forgotPasswordText = Forgot password?
login-password__editEmailText = Edit
login-password__wrong-credentials = Wrong email or password.

signup__pageTitle = Sign up
signup__title = Create your account
signup__description = Sign up to continue to { $clientName }.
signup__emailPlaceholder = Email address
signup__usernamePlaceholder = Username
signup__passwordPlaceholder = Password
signup__passwordHint = At least 8 characters, with lower-case and upper-case letters and a number.
signup__buttonText = Continue
signup__passkeyButtonText = Sign up with a passkey
signup__passkeyHint = No password: this device's fingerprint, face or screen lock signs you in.
signup__loginActionText = Already have an account?
signup__loginActionLinkText = Log in

consent__pageTitle = Authorize
consent__title = Authorize { $clientName }
consent__description = Hi { $userName }, { $clientName } is asking to:
consent__onApi = on { $api }
consent__acceptButtonText = Accept
consent__declineButtonText = Decline

reset-password-request__pageTitle = Reset your password
reset-password-request__title = Forgot your password?
reset-password-request__description = Enter your email address and we will send you a link to reset it.
reset-password-request__emailPlaceholder = Email address
reset-password-request__buttonText = Send the link
reset-password-request__backToLoginLinkText = Back to log in

reset-password__pageTitle = Change your password
reset-password__title = Change your password
reset-password__description = Choose a new password.
reset-password__passwordPlaceholder = New password
reset-password__buttonText = Reset password

common__continueTitle = Signing you in
common__continueDescription = You are being sent back to the application.
common__continueButtonText = Continue

device-code-activation__title = Activate your device
device-code-activation__description = Enter the code shown on your device.
device-code-activation__codeLabel = Code
device-code-activation__codeHint = Eight letters, like BDWP-HQPK.
device-code-activation__buttonText = Continue

device-code-confirmation__title = Confirm your device
device-code-confirmation__description = { $clientName } on a device is asking to sign in as you. Continue only if your device shows this code:
device-code-confirmation__cancelButtonText = Cancel
device-code-confirmation__confirmButtonText = Confirm

organization-picker__title = Enter your organization
organization-picker__description = { $clientName } signs you in through your organization.
organization-picker__organizationLabel = Organization name
organization-picker__buttonText = Continue

organization-selection__title = Choose an organization
organization-selection__description = Which organization do you want to use { $clientName } with?

passkey-enrollment__title = Create a passkey
passkey-enrollment__signupDescription = Your account for { $clientName } ({ $email }) will have no password: this device's fingerprint, face or screen lock signs you in. A passkey cannot be guessed or phished.
passkey-enrollment__description = Next time, sign in to { $clientName } with this device's fingerprint, face or screen lock instead of your password. A passkey cannot be guessed or phished.
passkey-enrollment__buttonText = Create a passkey
passkey-enrollment__passwordInsteadText = Sign up with a password instead
passkey-enrollment__skipButtonText = Not now

unblock__title = Unblock your account
unblock__description = Your account { $email } was blocked after several failed attempts to sign in. If those attempts were yours, unblock it and sign in again.
unblock__buttonText = Unblock my account
unblock__notYoursText = If they were not yours, someone may be guessing your password: change it.

passwordless-code__title = Enter your code
passwordless-code__description = We sent a code to { $recipient }. Enter it to continue to { $clientName }.
passwordless-code__codeLabel = Code
passwordless-code__buttonText = Continue
passwordless-code__resendText = Send a new code

passwordless-link__confirmTitle = Continue as { $recipient }?
passwordless-link__confirmDescription = This sign-in link is for { $recipient } at { $clientName }. Continue only if you asked for it.
passwordless-link__confirmButtonText = Continue
passwordless-link__sentTitle = Check your email
passwordless-link__sentDescription = We sent a sign-in link to { $recipient }. Open it in this browser to continue to { $clientName }.
passwordless-link__resendText = Send a new link

passwordless-start__emailTitle = Sign in with your email
passwordless-start__smsTitle = Sign in with your phone
passwordless-start__emailDescription = We will email you a code or a link to continue to { $clientName }.
passwordless-start__smsDescription = We will text you a code to continue to { $clientName }.
passwordless-start__emailLabel = Email address
passwordless-start__phoneLabel = Phone number
passwordless-start__phoneHint = With the country code, like +14155550100.
passwordless-start__emailCodeButtonText = Email me a code
passwordless-start__smsCodeButtonText = Text me a code
passwordless-start__emailLinkButtonText = Email me a link
passwordless-start__otherMethodsText = Other ways to sign in

# Said by the server: message pages, form errors, hints and the MFA pages.

common__backToApplication = Back to { $clientName }
common__passwordHintLow = At least { $length } { $length ->
    [one] character
   *[other] characters
}.
common__passwordHintFair = At least { $length } { $length ->
    [one] character
   *[other] characters
}, with lower-case and upper-case letters and a number.
common__passwordHintGood = At least { $length } { $length ->
    [one] character
   *[other] characters
}, with three of: lower-case letters, upper-case letters, numbers, special characters.
common__passwordHintExcellent = At least { $length } { $length ->
    [one] character
   *[other] characters
}, with three of: lower-case letters, upper-case letters, numbers, special characters; no character three times in a row.
common__passwordTooWeak = This password is too weak.
common__passwordTooLong = This password is too long: at most { $max } bytes.
common__passwordTooCommon = This password is too common. Choose another one.
common__passwordPersonalInfo = This password contains your name, username or email address. Choose another one.
common__passwordReused = You have used this password before. Choose a new one.
common__webauthnUnsupported = This browser cannot use security keys or passkeys. Try another method.
common__webauthnNoAnswer = The security key or passkey did not answer. Try again, or try another method.

device-code-activation__usedTitle = This code can no longer be used
device-code-activation__usedDescription = It has been used in another browser, or it has expired. Start again on your device.
device-code-activation__invalidCode = This code is not valid, or has expired. Check the code on your device; if it has expired, start again on the device.
device-code-activation__tooManyWrongCodes = Too many wrong codes from your network address. Try again in a few minutes.

device-code-activation-allowed__title = Your device is connected
device-code-activation-allowed__description = { $clientName } is signed in on your device. You can close this page and go back to it.

device-code-activation-denied__title = Your device was not connected
device-code-activation-denied__cancelledDescription = You cancelled, so the device was not connected.
device-code-activation-denied__description = The sign-in did not complete, so the device was not connected. Start again on your device.

device-code-confirmation__usedDescription = It has expired, was cancelled, or was confirmed in another browser. Start again on your device.

email-verification-result__verifiedTitle = E-mail address verified
email-verification-result__verifiedDescription = Thank you: your e-mail address is verified. You can close this page or go on.
email-verification-result__errorTitle = This link can no longer verify your address
email-verification-result__invalidAccountOrCodeDescription = Verification links work once, for a limited time, and only for the address they were sent to. Ask the application to send you a new one.
email-verification-result__buttonText = Continue

error-page__logoutTitle = We could not sign you out
error-page__logoutDescription = The application sent a sign-out request that is not valid, so you are still signed in. Go back to it and try again; if this keeps happening, tell the application's team, with the technical details below.
error-page__authorizeTitle = We could not sign you in
error-page__authorizeDescription = The application sent a sign-in request that is not valid. Go back to it and try again; if this keeps happening, tell the application's team, with the technical details below.
error-page__tooManyFlowsTitle = Too many sign-in requests
error-page__tooManyFlowsDescription = Too many unfinished sign-in requests from your network address. Finish one, or try again in a few minutes.
error-page__invalidFormTitle = Invalid form
error-page__deniedTitle = You cannot sign in here
error-page__userBlocked = This account is blocked.
error-page__expiredTitle = This page has expired
error-page__expiredDescription = Sign-in pages work for 10 minutes, in the browser that opened them. Go back to the application and sign in again.
error-page__formNotVerifiedBack = The form could not be verified. Go back to the application and try again.
error-page__genericTitle = Something went wrong
error-page__formUnreadableBack = The form could not be read. Go back to the application and try again.
error-page__notCompletedDescription = The sign-in could not be completed. Go back to the application and try again.
error-page__formNotVerified = The form could not be verified.
error-page__methodUnavailableTitle = This sign-in method is not available
error-page__methodNotOffered = The application does not offer this sign-in method.
error-page__upstreamExpiredTitle = This sign-in has expired
error-page__upstreamExpiredDescription = The answer from the sign-in provider is unknown, was used already, or came too late. Go back to the application and sign in again.
error-page__connectionNotInOrganization = This connection is not enabled for the organization.
error-page__passkeysUnavailable = Passkeys cannot be used here. Go back to the application and sign in again.
error-page__signupDisabled = This application does not take new sign-ups. Ask its administrator for an account.
error-page__accountNotMade = Your account could not be made. Try again.

login__memberSelfServiceTitle = Not available for the dashboard
login__noConnectionTitle = No way to sign in
login__noConnectionDescription = No sign-in method is enabled for this application. Its administrator can enable a connection for it.
login__passkeyFailed = That passkey could not sign you in. Try again, or use your password.
login__user-blocked = Your account has been blocked after multiple consecutive login attempts. Try again later or reset your password.
login__ip-blocked = Too many failed login attempts from your network address: further attempts are throttled for a while. Try again later.

logout-complete__title = You are signed out
logout-complete__description = You can close this window.

mfa__unavailableTitle = Second factor not available
mfa__unavailableDescription = This application asks for a kind of second factor your account does not have. Ask the application's administrator for help.
mfa__methodUnavailable = This way of verifying is not available. Go back to the application and try again.
mfa__enrollTitle = Secure your account
mfa__challengeTitle = Verify your identity
mfa__verifiedDescription = You are verified.
mfa__buttonText = Continue
mfa__codeLabel = One-time code
mfa__rememberBrowserText = Remember this browser for { $days } { $days ->
    [one] day
   *[other] days
}
mfa__tooManyWrongCodes = Too many wrong codes. Wait 15 minutes before trying again.
mfa__wrongCode = That code is not right. Check it and try again.

mfa-begin-enroll-options__description = { $clientName } asks for a second step when you log in. Choose how you will prove it is you.
mfa-begin-enroll-options__otpText = Authenticator app
mfa-begin-enroll-options__emailText = Email
mfa-begin-enroll-options__webauthnRoamingText = Security key
mfa-begin-enroll-options__webauthnPlatformText = This device (fingerprint, face or screen lock)

mfa-email-challenge__sendFailedTitle = The code could not be sent
mfa-email-challenge__sendFailedDescription = The verification e-mail could not be sent. Try again in a few minutes.
mfa-email-challenge__description = We've sent an email with a 6-digit code to { $email }. It works for five minutes.
mfa-email-challenge__codeExpired = That code has expired. We have sent you a new one.

mfa-login-options__title = Try another method
mfa-login-options__otpText = Use your authenticator app
mfa-login-options__emailText = Get a code by email
mfa-login-options__recoveryCodeText = Use your recovery code
mfa-login-options__webauthnRoamingText = Use your security key
mfa-login-options__webauthnPlatformText = Use this device (fingerprint, face or screen lock)
mfa-login-options__passkeyText = Use your passkey

mfa-otp-challenge__description = Enter the 6-digit code from your authenticator app.

mfa-otp-enrollment-qr__qrFailed = The QR code could not be drawn. Try again.
mfa-otp-enrollment-qr__description = Scan the QR code with an authenticator app (Google Authenticator, Microsoft Authenticator, 1Password…), then enter the 6-digit code it shows.
mfa-otp-enrollment-qr__qrAlt = QR code to scan with your authenticator app
mfa-otp-enrollment-qr__cantScanText = Can't scan the code?
mfa-otp-enrollment-qr__manualKeyText = Add an account in your app with this key:

mfa-recovery-code-challenge__description = Enter the recovery code you saved when you set up your second factor.
mfa-recovery-code-challenge__codeLabel = Recovery code
mfa-recovery-code-challenge__wrongCode = That recovery code is not right. Check it and try again.

mfa-recovery-code-enrollment__title = Save your recovery code
mfa-recovery-code-enrollment__description = If you ever lose your device, this code gets you back in. Keep it somewhere safe: it is shown only now, and works once.
mfa-recovery-code-enrollment__checkboxText = I have safely recorded this code

mfa-webauthn__unavailableTitle = Security keys are not available
mfa-webauthn__unavailableDescription = Security keys and device authenticators cannot be used here. Go back to the application and try again, or ask its administrator for help.
mfa-webauthn__registerButtonText = Register
mfa-webauthn__failed = That did not work. Try again, or try another method.

mfa-webauthn-platform-challenge__description = Confirm it is you with this device's fingerprint, face or screen lock.

mfa-webauthn-platform-enrollment__description = Register this device: from now on, its fingerprint, face or screen lock confirms it is you when you log in.

mfa-webauthn-roaming-challenge__description = Insert or tap your security key when your browser asks.

mfa-webauthn-roaming-enrollment__description = Register your security key: insert or tap it when your browser asks.

organization-picker__unknownOrganization = No organization has this name. Check it with your administrator.

organization-selection__invalidChoice = Choose one of the organizations listed.

passkey-enrollment__unavailableTitle = Passkeys are not available
passkey-enrollment__unavailableDescription = A passkey cannot be created here now. Go back to the application and sign in again.
passkey-enrollment__failed = The passkey could not be created. Try again, or continue without one.
passkey-enrollment__alreadyRegistered = This passkey is registered already. Try another, or continue without one.

passwordless-code__wrongCode = That code is not right. Check it and try again.
passwordless-code__tooManyWrongCodes = Too many wrong codes: that code no longer works. Ask for a new one.
passwordless-code__expiredCode = That code has expired. Ask for a new one.

passwordless-link__expiredTitle = This link no longer works
passwordless-link__expiredDescription = Sign-in links work once, for a few minutes, in the browser that asked for them. Go back to the application and ask for a new one.
passwordless-link__formNotVerified = The form could not be verified. Open the link from your e-mail again.

passwordless-start__unavailableTitle = Not available
passwordless-start__unavailableDescription = This way of signing in is not enabled for this application.
passwordless-start__invalidEmail = Enter a valid email address.
passwordless-start__invalidPhone = Enter a phone number with its country code, like +14155550100.
passwordless-start__tooManySent = Too many codes were sent; wait a while and try again.
passwordless-start__sendFailed = The code could not be sent. Try again in a moment.

reset-password-email__title = Check your email
reset-password-email__description = If an account exists for this address, we have sent it a link to reset the password. The link works once, for 24 hours.

reset-password-error__eventTitleExpired = This link has expired
reset-password-error__descriptionExpired = Password-reset links work once, for a limited time. To get a new one, go back to the application, choose “Forgot password?” on its login page and enter your email address.

reset-password-request__tooManyTitle = Too many requests
reset-password-request__tooManyDescription = Too many password-reset requests from your network address. Try again later.

reset-password-success__title = Password changed
reset-password-success__description = You can now log in with your new password. For your safety, you have been signed out everywhere: every session and every refresh token of your account has ended, and any other reset link sent to you no longer works.
reset-password-success__buttonText = Continue

signup__unavailableTitle = Sign-up is not available
signup__unavailableDescription = This application does not take new sign-ups. Ask its administrator for an account.
signup__invalid-username = Usernames have { $min } to { $max } characters: letters, digits and _ + - . ! # $ ' ^ ` ~ @.
signup__password-required = Enter a password.
signup__invalid-email-format = Enter a valid email address.
signup__invalid-details = These details cannot be used to sign up. Check them and try again.
signup__user-exists = The user already exists.
signup__passkeyFailed = The passkey could not be created. Try again, or sign up with a password.
signup__passkeyRegistered = This passkey is registered already.

unblock__expiredTitle = This link can no longer unblock your account
unblock__expiredDescription = Unblock links work once, for a limited time. If your account is still blocked, wait a little and try again, or reset your password.
unblock__doneTitle = Your account is unblocked
unblock__doneDescription = You can sign in again. If the failed attempts were not yours, change your password.

error-page__formTooLarge = The form is too large.
error-page__formUnreadable = The form could not be read.
error-page__formContentType = The form must be sent as application/x-www-form-urlencoded.
error-page__formDuplicateField = A form field was sent more than once.
consent__openidScope = Know who you are
consent__profileScope = See your name, nickname and picture
consent__emailScope = See your email address
consent__offlineAccessScope = Stay signed in to your account
