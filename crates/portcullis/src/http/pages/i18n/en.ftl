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
