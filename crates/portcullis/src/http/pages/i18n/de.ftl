# Deutsch.

common__footerText = Geschützt durch Portcullis
common__showPasswordText = Passwort anzeigen
common__separatorText = oder
common__technicalDetails = Technische Details

login__pageTitle = Anmelden
login__title = Willkommen
login__description = Melden Sie sich an, um mit { $clientName } fortzufahren.
login__emailPlaceholder = E-Mail-Adresse
login__usernamePlaceholder = Benutzername oder E-Mail-Adresse
login__passwordPlaceholder = Passwort
login__buttonText = Weiter
login__federatedConnectionButtonText = Weiter mit { $connectionName }
login__passkeyButtonText = Weiter mit einem Passkey
login__forgotPasswordText = Passwort vergessen?
login__signupActionText = Sie haben noch kein Konto?
login__signupActionLinkText = Registrieren
login__memberNote = Dashboard-Mitglieder werden von einer Administratorin oder einem Administrator hinzugefügt, die auch ihre Passwörter zurücksetzen.
login__wrong-credentials = E-Mail-Adresse oder Passwort ist falsch.
login__no-credentials = Geben Sie Ihre E-Mail-Adresse und Ihr Passwort ein.

login-id__pageTitle = Anmelden
login-id__title = Willkommen
login-id__description = Melden Sie sich an, um mit { $clientName } fortzufahren.
login-id__emailPlaceholder = E-Mail-Adresse
login-id__usernamePlaceholder = Benutzername oder E-Mail-Adresse
login-id__buttonText = Weiter
login-id__signupActionText = Sie haben noch kein Konto?
login-id__signupActionLinkText = Registrieren
login-id__no-email = Geben Sie Ihre E-Mail-Adresse ein.

login-password__pageTitle = Passwort eingeben
login-password__title = Passwort eingeben
login-password__description = Geben Sie Ihr Passwort für { $clientName } ein, um fortzufahren.
login-password__passwordPlaceholder = Passwort
login-password__buttonText = Weiter
login-password__forgotPasswordText = Passwort vergessen?
login-password__editEmailText = Ändern
login-password__wrong-credentials = E-Mail-Adresse oder Passwort ist falsch.

signup__pageTitle = Registrieren
signup__title = Konto erstellen
signup__description = Registrieren Sie sich, um mit { $clientName } fortzufahren.
signup__emailPlaceholder = E-Mail-Adresse
signup__usernamePlaceholder = Benutzername
signup__passwordPlaceholder = Passwort
signup__passwordHint = Mindestens 8 Zeichen, mit Klein- und Großbuchstaben und einer Ziffer.
signup__buttonText = Weiter
signup__passkeyButtonText = Mit einem Passkey registrieren
signup__passkeyHint = Kein Passwort: Fingerabdruck, Gesicht oder Bildschirmsperre dieses Geräts melden Sie an.
signup__loginActionText = Sie haben bereits ein Konto?
signup__loginActionLinkText = Anmelden

consent__pageTitle = Autorisieren
consent__title = { $clientName } autorisieren
consent__description = Hallo { $userName }, { $clientName } möchte:
consent__onApi = für { $api }
consent__acceptButtonText = Zulassen
consent__declineButtonText = Ablehnen

reset-password-request__pageTitle = Passwort zurücksetzen
reset-password-request__title = Passwort vergessen?
reset-password-request__description = Geben Sie Ihre E-Mail-Adresse ein, und wir senden Ihnen einen Link zum Zurücksetzen.
reset-password-request__emailPlaceholder = E-Mail-Adresse
reset-password-request__buttonText = Link senden
reset-password-request__backToLoginLinkText = Zurück zur Anmeldung

reset-password__pageTitle = Passwort ändern
reset-password__title = Passwort ändern
reset-password__description = Wählen Sie ein neues Passwort.
reset-password__passwordPlaceholder = Neues Passwort
reset-password__buttonText = Passwort zurücksetzen

common__continueTitle = Sie werden angemeldet
common__continueDescription = Sie werden zur Anwendung zurückgeleitet.
common__continueButtonText = Weiter

device-code-activation__title = Gerät aktivieren
device-code-activation__description = Geben Sie den Code ein, den Ihr Gerät anzeigt.
device-code-activation__codeLabel = Code
device-code-activation__codeHint = Acht Buchstaben, zum Beispiel BDWP-HQPK.
device-code-activation__buttonText = Weiter

device-code-confirmation__title = Gerät bestätigen
device-code-confirmation__description = { $clientName } möchte sich auf einem Gerät mit Ihrem Konto anmelden. Fahren Sie nur fort, wenn Ihr Gerät diesen Code anzeigt:
device-code-confirmation__cancelButtonText = Abbrechen
device-code-confirmation__confirmButtonText = Bestätigen

organization-picker__title = Organisation eingeben
organization-picker__description = { $clientName } meldet Sie über Ihre Organisation an.
organization-picker__organizationLabel = Name der Organisation
organization-picker__buttonText = Weiter

organization-selection__title = Organisation auswählen
organization-selection__description = Mit welcher Organisation möchten Sie { $clientName } verwenden?

passkey-enrollment__title = Passkey erstellen
passkey-enrollment__signupDescription = Ihr Konto für { $clientName } ({ $email }) hat kein Passwort: Fingerabdruck, Gesicht oder Bildschirmsperre dieses Geräts melden Sie an. Ein Passkey kann weder erraten noch abgefischt werden.
passkey-enrollment__description = Melden Sie sich beim nächsten Mal bei { $clientName } mit Fingerabdruck, Gesicht oder Bildschirmsperre dieses Geräts statt mit Ihrem Passwort an. Ein Passkey kann weder erraten noch abgefischt werden.
passkey-enrollment__buttonText = Passkey erstellen
passkey-enrollment__passwordInsteadText = Stattdessen mit Passwort registrieren
passkey-enrollment__skipButtonText = Nicht jetzt

unblock__title = Konto entsperren
unblock__description = Ihr Konto { $email } wurde nach mehreren fehlgeschlagenen Anmeldeversuchen gesperrt. Wenn diese Versuche von Ihnen stammen, entsperren Sie es und melden Sie sich erneut an.
unblock__buttonText = Mein Konto entsperren
unblock__notYoursText = Wenn sie nicht von Ihnen stammen, versucht vielleicht jemand, Ihr Passwort zu erraten: Ändern Sie es.

passwordless-code__title = Code eingeben
passwordless-code__description = Wir haben einen Code an { $recipient } gesendet. Geben Sie ihn ein, um mit { $clientName } fortzufahren.
passwordless-code__codeLabel = Code
passwordless-code__buttonText = Weiter
passwordless-code__resendText = Neuen Code senden

passwordless-link__confirmTitle = Als { $recipient } fortfahren?
passwordless-link__confirmDescription = Dieser Anmeldelink gilt für { $recipient } bei { $clientName }. Fahren Sie nur fort, wenn Sie ihn angefordert haben.
passwordless-link__confirmButtonText = Weiter
passwordless-link__sentTitle = Prüfen Sie Ihre E-Mails
passwordless-link__sentDescription = Wir haben einen Anmeldelink an { $recipient } gesendet. Öffnen Sie ihn in diesem Browser, um mit { $clientName } fortzufahren.
passwordless-link__resendText = Neuen Link senden

passwordless-start__emailTitle = Mit Ihrer E-Mail-Adresse anmelden
passwordless-start__smsTitle = Mit Ihrem Telefon anmelden
passwordless-start__emailDescription = Wir senden Ihnen per E-Mail einen Code oder einen Link, um mit { $clientName } fortzufahren.
passwordless-start__smsDescription = Wir senden Ihnen per SMS einen Code, um mit { $clientName } fortzufahren.
passwordless-start__emailLabel = E-Mail-Adresse
passwordless-start__phoneLabel = Telefonnummer
passwordless-start__phoneHint = Mit Ländervorwahl, zum Beispiel +4930123456.
passwordless-start__emailCodeButtonText = Code per E-Mail senden
passwordless-start__smsCodeButtonText = Code per SMS senden
passwordless-start__emailLinkButtonText = Link per E-Mail senden
passwordless-start__otherMethodsText = Andere Anmeldemöglichkeiten

# Vom Server ausgegeben: Meldungsseiten, Formularfehler, Hinweise und die MFA-Seiten.

common__backToApplication = Zurück zu { $clientName }
common__passwordHintLow = Mindestens { $length } { $length ->
    [one] Zeichen
   *[other] Zeichen
}.
common__passwordHintFair = Mindestens { $length } Zeichen, mit Klein- und Großbuchstaben und einer Ziffer.
common__passwordHintGood = Mindestens { $length } Zeichen, mit drei der folgenden: Kleinbuchstaben, Großbuchstaben, Ziffern, Sonderzeichen.
common__passwordHintExcellent = Mindestens { $length } Zeichen, mit drei der folgenden: Kleinbuchstaben, Großbuchstaben, Ziffern, Sonderzeichen; kein Zeichen dreimal hintereinander.
common__passwordTooWeak = Dieses Passwort ist zu schwach.
common__passwordTooLong = Dieses Passwort ist zu lang: höchstens { $max } Byte.
common__passwordTooCommon = Dieses Passwort ist zu verbreitet. Wählen Sie ein anderes.
common__passwordPersonalInfo = Dieses Passwort enthält Ihren Namen, Benutzernamen oder Ihre E-Mail-Adresse. Wählen Sie ein anderes.
common__passwordReused = Sie haben dieses Passwort bereits verwendet. Wählen Sie ein neues.
common__webauthnUnsupported = Dieser Browser kann keine Sicherheitsschlüssel oder Passkeys verwenden. Versuchen Sie eine andere Methode.
common__webauthnNoAnswer = Der Sicherheitsschlüssel oder Passkey hat nicht geantwortet. Versuchen Sie es erneut oder wählen Sie eine andere Methode.

device-code-activation__usedTitle = Dieser Code kann nicht mehr verwendet werden
device-code-activation__usedDescription = Er wurde in einem anderen Browser verwendet oder ist abgelaufen. Beginnen Sie auf Ihrem Gerät von vorn.
device-code-activation__invalidCode = Dieser Code ist ungültig oder abgelaufen. Prüfen Sie den Code auf Ihrem Gerät; wenn er abgelaufen ist, beginnen Sie auf dem Gerät von vorn.
device-code-activation__tooManyWrongCodes = Zu viele falsche Codes von Ihrer Netzwerkadresse. Versuchen Sie es in einigen Minuten erneut.

device-code-activation-allowed__title = Ihr Gerät ist verbunden
device-code-activation-allowed__description = { $clientName } ist auf Ihrem Gerät angemeldet. Sie können diese Seite schließen und zum Gerät zurückkehren.

device-code-activation-denied__title = Ihr Gerät wurde nicht verbunden
device-code-activation-denied__cancelledDescription = Sie haben abgebrochen, daher wurde das Gerät nicht verbunden.
device-code-activation-denied__description = Die Anmeldung wurde nicht abgeschlossen, daher wurde das Gerät nicht verbunden. Beginnen Sie auf Ihrem Gerät von vorn.

device-code-confirmation__usedDescription = Er ist abgelaufen, wurde abgebrochen oder in einem anderen Browser bestätigt. Beginnen Sie auf Ihrem Gerät von vorn.

email-verification-result__verifiedTitle = E-Mail-Adresse bestätigt
email-verification-result__verifiedDescription = Vielen Dank: Ihre E-Mail-Adresse ist bestätigt. Sie können diese Seite schließen oder fortfahren.
email-verification-result__errorTitle = Mit diesem Link kann Ihre Adresse nicht mehr bestätigt werden
email-verification-result__invalidAccountOrCodeDescription = Bestätigungslinks funktionieren nur einmal, für begrenzte Zeit und nur für die Adresse, an die sie gesendet wurden. Bitten Sie die Anwendung, Ihnen einen neuen zu senden.
email-verification-result__buttonText = Weiter

error-page__logoutTitle = Wir konnten Sie nicht abmelden
error-page__logoutDescription = Die Anwendung hat eine ungültige Abmeldeanfrage gesendet, daher sind Sie weiterhin angemeldet. Kehren Sie zu ihr zurück und versuchen Sie es erneut; wenn das Problem weiterhin auftritt, informieren Sie das Team der Anwendung und geben Sie die technischen Details unten an.
error-page__authorizeTitle = Wir konnten Sie nicht anmelden
error-page__authorizeDescription = Die Anwendung hat eine ungültige Anmeldeanfrage gesendet. Kehren Sie zu ihr zurück und versuchen Sie es erneut; wenn das Problem weiterhin auftritt, informieren Sie das Team der Anwendung und geben Sie die technischen Details unten an.
error-page__tooManyFlowsTitle = Zu viele Anmeldeanfragen
error-page__tooManyFlowsDescription = Zu viele nicht abgeschlossene Anmeldeanfragen von Ihrer Netzwerkadresse. Schließen Sie eine davon ab oder versuchen Sie es in einigen Minuten erneut.
error-page__invalidFormTitle = Ungültiges Formular
error-page__deniedTitle = Sie können sich hier nicht anmelden
error-page__userBlocked = Dieses Konto ist gesperrt.
error-page__expiredTitle = Diese Seite ist abgelaufen
error-page__expiredDescription = Anmeldeseiten sind 10 Minuten lang gültig, und zwar in dem Browser, der sie geöffnet hat. Kehren Sie zur Anwendung zurück und melden Sie sich erneut an.
error-page__formNotVerifiedBack = Das Formular konnte nicht überprüft werden. Kehren Sie zur Anwendung zurück und versuchen Sie es erneut.
error-page__genericTitle = Etwas ist schiefgelaufen
error-page__formUnreadableBack = Das Formular konnte nicht gelesen werden. Kehren Sie zur Anwendung zurück und versuchen Sie es erneut.
error-page__notCompletedDescription = Die Anmeldung konnte nicht abgeschlossen werden. Kehren Sie zur Anwendung zurück und versuchen Sie es erneut.
error-page__formNotVerified = Das Formular konnte nicht überprüft werden.
error-page__methodUnavailableTitle = Diese Anmeldemethode ist nicht verfügbar
error-page__methodNotOffered = Die Anwendung bietet diese Anmeldemethode nicht an.
error-page__upstreamExpiredTitle = Diese Anmeldung ist abgelaufen
error-page__upstreamExpiredDescription = Die Antwort des Anmeldeanbieters ist unbekannt, wurde bereits verwendet oder kam zu spät. Kehren Sie zur Anwendung zurück und melden Sie sich erneut an.
error-page__connectionNotInOrganization = Diese Verbindung ist für die Organisation nicht aktiviert.
error-page__passkeysUnavailable = Passkeys können hier nicht verwendet werden. Kehren Sie zur Anwendung zurück und melden Sie sich erneut an.
error-page__signupDisabled = Diese Anwendung nimmt keine neuen Registrierungen an. Bitten Sie die Administratorin oder den Administrator der Anwendung um ein Konto.
error-page__accountNotMade = Ihr Konto konnte nicht erstellt werden. Versuchen Sie es erneut.

login__memberSelfServiceTitle = Für das Dashboard nicht verfügbar
login__noConnectionTitle = Keine Anmeldemöglichkeit
login__noConnectionDescription = Für diese Anwendung ist keine Anmeldemethode aktiviert. Die Administratorin oder der Administrator der Anwendung kann eine Verbindung dafür aktivieren.
login__passkeyFailed = Mit diesem Passkey konnten Sie nicht angemeldet werden. Versuchen Sie es erneut oder verwenden Sie Ihr Passwort.
login__user-blocked = Ihr Konto wurde nach mehreren aufeinanderfolgenden Anmeldeversuchen gesperrt. Versuchen Sie es später erneut oder setzen Sie Ihr Passwort zurück.
login__ip-blocked = Zu viele fehlgeschlagene Anmeldeversuche von Ihrer Netzwerkadresse: Weitere Versuche werden eine Zeit lang gedrosselt. Versuchen Sie es später erneut.

logout-complete__title = Sie sind abgemeldet
logout-complete__description = Sie können dieses Fenster schließen.

mfa__unavailableTitle = Zweiter Faktor nicht verfügbar
mfa__unavailableDescription = Diese Anwendung verlangt eine Art von zweitem Faktor, die Ihr Konto nicht hat. Bitten Sie die Administratorin oder den Administrator der Anwendung um Hilfe.
mfa__methodUnavailable = Diese Bestätigungsmethode ist nicht verfügbar. Kehren Sie zur Anwendung zurück und versuchen Sie es erneut.
mfa__enrollTitle = Schützen Sie Ihr Konto
mfa__challengeTitle = Bestätigen Sie Ihre Identität
mfa__verifiedDescription = Ihre Identität ist bestätigt.
mfa__buttonText = Weiter
mfa__codeLabel = Einmalcode
mfa__rememberBrowserText = Diesen Browser { $days } { $days ->
    [one] Tag
   *[other] Tage
} lang merken
mfa__tooManyWrongCodes = Zu viele falsche Codes. Warten Sie 15 Minuten, bevor Sie es erneut versuchen.
mfa__wrongCode = Dieser Code ist nicht richtig. Prüfen Sie ihn und versuchen Sie es erneut.

mfa-begin-enroll-options__description = { $clientName } verlangt bei der Anmeldung einen zweiten Schritt. Wählen Sie, wie Sie nachweisen, dass Sie es sind.
mfa-begin-enroll-options__otpText = Authenticator-App
mfa-begin-enroll-options__emailText = E-Mail
mfa-begin-enroll-options__webauthnRoamingText = Sicherheitsschlüssel
mfa-begin-enroll-options__webauthnPlatformText = Dieses Gerät (Fingerabdruck, Gesicht oder Bildschirmsperre)

mfa-email-challenge__sendFailedTitle = Der Code konnte nicht gesendet werden
mfa-email-challenge__sendFailedDescription = Die Bestätigungs-E-Mail konnte nicht gesendet werden. Versuchen Sie es in einigen Minuten erneut.
mfa-email-challenge__description = Wir haben eine E-Mail mit einem 6-stelligen Code an { $email } gesendet. Er ist fünf Minuten lang gültig.
mfa-email-challenge__codeExpired = Dieser Code ist abgelaufen. Wir haben Ihnen einen neuen gesendet.

mfa-login-options__title = Andere Methode versuchen
mfa-login-options__otpText = Authenticator-App verwenden
mfa-login-options__emailText = Code per E-Mail erhalten
mfa-login-options__recoveryCodeText = Wiederherstellungscode verwenden
mfa-login-options__webauthnRoamingText = Sicherheitsschlüssel verwenden
mfa-login-options__webauthnPlatformText = Dieses Gerät verwenden (Fingerabdruck, Gesicht oder Bildschirmsperre)
mfa-login-options__passkeyText = Passkey verwenden

mfa-otp-challenge__description = Geben Sie den 6-stelligen Code aus Ihrer Authenticator-App ein.

mfa-otp-enrollment-qr__qrFailed = Der QR-Code konnte nicht erzeugt werden. Versuchen Sie es erneut.
mfa-otp-enrollment-qr__description = Scannen Sie den QR-Code mit einer Authenticator-App (Google Authenticator, Microsoft Authenticator, 1Password…) und geben Sie dann den 6-stelligen Code ein, den sie anzeigt.
mfa-otp-enrollment-qr__qrAlt = QR-Code zum Scannen mit Ihrer Authenticator-App
mfa-otp-enrollment-qr__cantScanText = Sie können den Code nicht scannen?
mfa-otp-enrollment-qr__manualKeyText = Fügen Sie in Ihrer App ein Konto mit diesem Schlüssel hinzu:

mfa-recovery-code-challenge__description = Geben Sie den Wiederherstellungscode ein, den Sie beim Einrichten Ihres zweiten Faktors gespeichert haben.
mfa-recovery-code-challenge__codeLabel = Wiederherstellungscode
mfa-recovery-code-challenge__wrongCode = Dieser Wiederherstellungscode ist nicht richtig. Prüfen Sie ihn und versuchen Sie es erneut.

mfa-recovery-code-enrollment__title = Speichern Sie Ihren Wiederherstellungscode
mfa-recovery-code-enrollment__description = Falls Sie Ihr Gerät einmal verlieren, erhalten Sie mit diesem Code wieder Zugang. Bewahren Sie ihn sicher auf: Er wird nur jetzt angezeigt und funktioniert nur einmal.
mfa-recovery-code-enrollment__checkboxText = Ich habe diesen Code sicher notiert

mfa-webauthn__unavailableTitle = Sicherheitsschlüssel sind nicht verfügbar
mfa-webauthn__unavailableDescription = Sicherheitsschlüssel und Geräte-Authentifikatoren können hier nicht verwendet werden. Kehren Sie zur Anwendung zurück und versuchen Sie es erneut, oder bitten Sie die Administratorin oder den Administrator der Anwendung um Hilfe.
mfa-webauthn__registerButtonText = Registrieren
mfa-webauthn__failed = Das hat nicht funktioniert. Versuchen Sie es erneut oder wählen Sie eine andere Methode.

mfa-webauthn-platform-challenge__description = Bestätigen Sie mit Fingerabdruck, Gesicht oder Bildschirmsperre dieses Geräts, dass Sie es sind.

mfa-webauthn-platform-enrollment__description = Registrieren Sie dieses Gerät: Ab jetzt bestätigen Fingerabdruck, Gesicht oder Bildschirmsperre dieses Geräts bei der Anmeldung, dass Sie es sind.

mfa-webauthn-roaming-challenge__description = Stecken Sie Ihren Sicherheitsschlüssel ein oder tippen Sie darauf, wenn Ihr Browser Sie dazu auffordert.

mfa-webauthn-roaming-enrollment__description = Registrieren Sie Ihren Sicherheitsschlüssel: Stecken Sie ihn ein oder tippen Sie darauf, wenn Ihr Browser Sie dazu auffordert.

organization-picker__unknownOrganization = Es gibt keine Organisation mit diesem Namen. Klären Sie ihn mit Ihrer Administratorin oder Ihrem Administrator ab.

organization-selection__invalidChoice = Wählen Sie eine der aufgeführten Organisationen.

passkey-enrollment__unavailableTitle = Passkeys sind nicht verfügbar
passkey-enrollment__unavailableDescription = Ein Passkey kann hier derzeit nicht erstellt werden. Kehren Sie zur Anwendung zurück und melden Sie sich erneut an.
passkey-enrollment__failed = Der Passkey konnte nicht erstellt werden. Versuchen Sie es erneut oder fahren Sie ohne Passkey fort.
passkey-enrollment__alreadyRegistered = Dieser Passkey ist bereits registriert. Versuchen Sie einen anderen oder fahren Sie ohne Passkey fort.

passwordless-code__wrongCode = Dieser Code ist nicht richtig. Prüfen Sie ihn und versuchen Sie es erneut.
passwordless-code__tooManyWrongCodes = Zu viele falsche Codes: Dieser Code funktioniert nicht mehr. Fordern Sie einen neuen an.
passwordless-code__expiredCode = Dieser Code ist abgelaufen. Fordern Sie einen neuen an.

passwordless-link__expiredTitle = Dieser Link funktioniert nicht mehr
passwordless-link__expiredDescription = Anmeldelinks funktionieren nur einmal, für wenige Minuten und nur in dem Browser, der sie angefordert hat. Kehren Sie zur Anwendung zurück und fordern Sie einen neuen an.
passwordless-link__formNotVerified = Das Formular konnte nicht überprüft werden. Öffnen Sie den Link aus Ihrer E-Mail erneut.

passwordless-start__unavailableTitle = Nicht verfügbar
passwordless-start__unavailableDescription = Diese Anmeldemöglichkeit ist für diese Anwendung nicht aktiviert.
passwordless-start__invalidEmail = Geben Sie eine gültige E-Mail-Adresse ein.
passwordless-start__invalidPhone = Geben Sie eine Telefonnummer mit Ländervorwahl ein, zum Beispiel +4930123456.
passwordless-start__tooManySent = Es wurden zu viele Codes gesendet; warten Sie eine Weile und versuchen Sie es erneut.
passwordless-start__sendFailed = Der Code konnte nicht gesendet werden. Versuchen Sie es gleich noch einmal.

reset-password-email__title = Prüfen Sie Ihre E-Mails
reset-password-email__description = Wenn für diese Adresse ein Konto existiert, haben wir einen Link zum Zurücksetzen des Passworts an sie gesendet. Der Link funktioniert nur einmal und ist 24 Stunden lang gültig.

reset-password-error__eventTitleExpired = Dieser Link ist abgelaufen
reset-password-error__descriptionExpired = Links zum Zurücksetzen des Passworts funktionieren nur einmal und für begrenzte Zeit. Um einen neuen zu erhalten, kehren Sie zur Anwendung zurück, wählen Sie auf deren Anmeldeseite „Passwort vergessen?“ und geben Sie Ihre E-Mail-Adresse ein.

reset-password-request__tooManyTitle = Zu viele Anfragen
reset-password-request__tooManyDescription = Zu viele Anfragen zum Zurücksetzen des Passworts von Ihrer Netzwerkadresse. Versuchen Sie es später erneut.

reset-password-success__title = Passwort geändert
reset-password-success__description = Sie können sich jetzt mit Ihrem neuen Passwort anmelden. Zu Ihrer Sicherheit wurden Sie überall abgemeldet: Alle Sitzungen und alle Refresh-Tokens Ihres Kontos wurden beendet, und andere an Sie gesendete Links zum Zurücksetzen funktionieren nicht mehr.
reset-password-success__buttonText = Weiter

signup__unavailableTitle = Registrierung nicht verfügbar
signup__unavailableDescription = Diese Anwendung nimmt keine neuen Registrierungen an. Bitten Sie die Administratorin oder den Administrator der Anwendung um ein Konto.
signup__invalid-username = Benutzernamen haben { $min } bis { $max } Zeichen: Buchstaben, Ziffern und _ + - . ! # $ ' ^ ` ~ @.
signup__password-required = Geben Sie ein Passwort ein.
signup__invalid-email-format = Geben Sie eine gültige E-Mail-Adresse ein.
signup__invalid-details = Mit diesen Angaben ist keine Registrierung möglich. Prüfen Sie sie und versuchen Sie es erneut.
signup__user-exists = Dieser Benutzer existiert bereits.
signup__passkeyFailed = Der Passkey konnte nicht erstellt werden. Versuchen Sie es erneut oder registrieren Sie sich mit einem Passwort.
signup__passkeyRegistered = Dieser Passkey ist bereits registriert.

unblock__expiredTitle = Mit diesem Link kann Ihr Konto nicht mehr entsperrt werden
unblock__expiredDescription = Entsperrlinks funktionieren nur einmal und für begrenzte Zeit. Wenn Ihr Konto noch gesperrt ist, warten Sie etwas und versuchen Sie es erneut, oder setzen Sie Ihr Passwort zurück.
unblock__doneTitle = Ihr Konto ist entsperrt
unblock__doneDescription = Sie können sich wieder anmelden. Wenn die fehlgeschlagenen Versuche nicht von Ihnen stammen, ändern Sie Ihr Passwort.

error-page__formTooLarge = Das Formular ist zu groß.
error-page__formUnreadable = Das Formular konnte nicht gelesen werden.
error-page__formContentType = Das Formular muss als application/x-www-form-urlencoded gesendet werden.
error-page__formDuplicateField = Ein Formularfeld wurde mehr als einmal gesendet.
consent__openidScope = Wissen, wer Sie sind
consent__profileScope = Ihren Namen, Spitznamen und Ihr Profilbild sehen
consent__emailScope = Ihre E-Mail-Adresse sehen
consent__offlineAccessScope = Bei Ihrem Konto angemeldet bleiben
