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
