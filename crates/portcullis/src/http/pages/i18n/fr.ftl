# Français.

common__footerText = Sécurisé par Portcullis
common__showPasswordText = Afficher le mot de passe
common__separatorText = ou
common__technicalDetails = Détails techniques

login__pageTitle = Connexion
login__title = Bienvenue
login__description = Connectez-vous pour continuer vers { $clientName }.
login__emailPlaceholder = Adresse e-mail
login__usernamePlaceholder = Nom d'utilisateur ou adresse e-mail
login__passwordPlaceholder = Mot de passe
login__buttonText = Continuer
login__federatedConnectionButtonText = Continuer avec { $connectionName }
login__passkeyButtonText = Continuer avec une clé d'accès
login__forgotPasswordText = Mot de passe oublié ?
login__signupActionText = Vous n'avez pas de compte ?
login__signupActionLinkText = S'inscrire
login__memberNote = Les membres du tableau de bord sont ajoutés, et leurs mots de passe réinitialisés, par un administrateur.
login__wrong-credentials = Adresse e-mail ou mot de passe incorrect.
login__no-credentials = Saisissez votre adresse e-mail et votre mot de passe.

login-id__pageTitle = Connexion
login-id__title = Bienvenue
login-id__description = Connectez-vous pour continuer vers { $clientName }.
login-id__emailPlaceholder = Adresse e-mail
login-id__usernamePlaceholder = Nom d'utilisateur ou adresse e-mail
login-id__buttonText = Continuer
login-id__signupActionText = Vous n'avez pas de compte ?
login-id__signupActionLinkText = S'inscrire
login-id__no-email = Saisissez votre adresse e-mail.

login-password__pageTitle = Saisissez votre mot de passe
login-password__title = Saisissez votre mot de passe
login-password__description = Saisissez votre mot de passe pour { $clientName } afin de continuer.
login-password__passwordPlaceholder = Mot de passe
login-password__buttonText = Continuer
login-password__forgotPasswordText = Mot de passe oublié ?
login-password__editEmailText = Modifier
login-password__wrong-credentials = Adresse e-mail ou mot de passe incorrect.

signup__pageTitle = Inscription
signup__title = Créez votre compte
signup__description = Inscrivez-vous pour continuer vers { $clientName }.
signup__emailPlaceholder = Adresse e-mail
signup__usernamePlaceholder = Nom d'utilisateur
signup__passwordPlaceholder = Mot de passe
signup__passwordHint = Au moins 8 caractères, avec des minuscules, des majuscules et un chiffre.
signup__buttonText = Continuer
signup__passkeyButtonText = S'inscrire avec une clé d'accès
signup__passkeyHint = Sans mot de passe : l'empreinte, le visage ou le verrouillage d'écran de cet appareil vous connecte.
signup__loginActionText = Vous avez déjà un compte ?
signup__loginActionLinkText = Se connecter

consent__pageTitle = Autoriser
consent__title = Autoriser { $clientName }
consent__description = Bonjour { $userName }, { $clientName } demande à :
consent__onApi = sur { $api }
consent__acceptButtonText = Accepter
consent__declineButtonText = Refuser

reset-password-request__pageTitle = Réinitialiser votre mot de passe
reset-password-request__title = Mot de passe oublié ?
reset-password-request__description = Saisissez votre adresse e-mail et nous vous enverrons un lien pour le réinitialiser.
reset-password-request__emailPlaceholder = Adresse e-mail
reset-password-request__buttonText = Envoyer le lien
reset-password-request__backToLoginLinkText = Retour à la connexion

reset-password__pageTitle = Changer votre mot de passe
reset-password__title = Changer votre mot de passe
reset-password__description = Choisissez un nouveau mot de passe.
reset-password__passwordPlaceholder = Nouveau mot de passe
reset-password__buttonText = Réinitialiser le mot de passe

common__continueTitle = Connexion en cours
common__continueDescription = Vous êtes renvoyé vers l'application.
common__continueButtonText = Continuer

device-code-activation__title = Activer votre appareil
device-code-activation__description = Saisissez le code affiché sur votre appareil.
device-code-activation__codeLabel = Code
device-code-activation__codeHint = Huit lettres, par exemple BDWP-HQPK.
device-code-activation__buttonText = Continuer

device-code-confirmation__title = Confirmer votre appareil
device-code-confirmation__description = { $clientName } demande à se connecter en votre nom sur un appareil. Continuez uniquement si votre appareil affiche ce code :
device-code-confirmation__cancelButtonText = Annuler
device-code-confirmation__confirmButtonText = Confirmer

organization-picker__title = Indiquez votre organisation
organization-picker__description = { $clientName } vous connecte par l'intermédiaire de votre organisation.
organization-picker__organizationLabel = Nom de l'organisation
organization-picker__buttonText = Continuer

organization-selection__title = Choisissez une organisation
organization-selection__description = Avec quelle organisation voulez-vous utiliser { $clientName } ?

passkey-enrollment__title = Créer une clé d'accès
passkey-enrollment__signupDescription = Votre compte pour { $clientName } ({ $email }) n'aura pas de mot de passe : l'empreinte, le visage ou le verrouillage d'écran de cet appareil vous connecte. Une clé d'accès ne peut être ni devinée ni hameçonnée.
passkey-enrollment__description = La prochaine fois, connectez-vous à { $clientName } avec l'empreinte, le visage ou le verrouillage d'écran de cet appareil au lieu de votre mot de passe. Une clé d'accès ne peut être ni devinée ni hameçonnée.
passkey-enrollment__buttonText = Créer une clé d'accès
passkey-enrollment__passwordInsteadText = S'inscrire plutôt avec un mot de passe
passkey-enrollment__skipButtonText = Pas maintenant

unblock__title = Débloquer votre compte
unblock__description = Votre compte { $email } a été bloqué après plusieurs tentatives de connexion échouées. Si ces tentatives venaient de vous, débloquez-le et reconnectez-vous.
unblock__buttonText = Débloquer mon compte
unblock__notYoursText = Si elles ne venaient pas de vous, quelqu'un essaie peut-être de deviner votre mot de passe : changez-le.

passwordless-code__title = Saisissez votre code
passwordless-code__description = Nous avons envoyé un code à { $recipient }. Saisissez-le pour continuer vers { $clientName }.
passwordless-code__codeLabel = Code
passwordless-code__buttonText = Continuer
passwordless-code__resendText = Envoyer un nouveau code

passwordless-link__confirmTitle = Continuer en tant que { $recipient } ?
passwordless-link__confirmDescription = Ce lien de connexion est destiné à { $recipient } pour { $clientName }. Continuez uniquement si vous l'avez demandé.
passwordless-link__confirmButtonText = Continuer
passwordless-link__sentTitle = Consultez vos e-mails
passwordless-link__sentDescription = Nous avons envoyé un lien de connexion à { $recipient }. Ouvrez-le dans ce navigateur pour continuer vers { $clientName }.
passwordless-link__resendText = Envoyer un nouveau lien

passwordless-start__emailTitle = Connexion par e-mail
passwordless-start__smsTitle = Connexion par téléphone
passwordless-start__emailDescription = Nous vous enverrons par e-mail un code ou un lien pour continuer vers { $clientName }.
passwordless-start__smsDescription = Nous vous enverrons un code par SMS pour continuer vers { $clientName }.
passwordless-start__emailLabel = Adresse e-mail
passwordless-start__phoneLabel = Numéro de téléphone
passwordless-start__phoneHint = Avec l'indicatif du pays, par exemple +33123456789.
passwordless-start__emailCodeButtonText = M'envoyer un code par e-mail
passwordless-start__smsCodeButtonText = M'envoyer un code par SMS
passwordless-start__emailLinkButtonText = M'envoyer un lien par e-mail
passwordless-start__otherMethodsText = Autres moyens de connexion
