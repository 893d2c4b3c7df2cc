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
