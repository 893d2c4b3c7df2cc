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

# Émis par le serveur : pages de message, erreurs de formulaire, indications et pages MFA.

common__backToApplication = Retour à { $clientName }
common__passwordHintLow = Au moins { $length } { $length ->
    [one] caractère
   *[other] caractères
}.
common__passwordHintFair = Au moins { $length } { $length ->
    [one] caractère
   *[other] caractères
}, avec des minuscules, des majuscules et un chiffre.
common__passwordHintGood = Au moins { $length } { $length ->
    [one] caractère
   *[other] caractères
}, avec trois des éléments suivants : minuscules, majuscules, chiffres, caractères spéciaux.
common__passwordHintExcellent = Au moins { $length } { $length ->
    [one] caractère
   *[other] caractères
}, avec trois des éléments suivants : minuscules, majuscules, chiffres, caractères spéciaux ; jamais trois fois de suite le même caractère.
common__passwordTooWeak = Ce mot de passe est trop faible.
common__passwordTooLong = Ce mot de passe est trop long : { $max } octets au maximum.
common__passwordTooCommon = Ce mot de passe est trop courant. Choisissez-en un autre.
common__passwordPersonalInfo = Ce mot de passe contient votre nom, votre nom d'utilisateur ou votre adresse e-mail. Choisissez-en un autre.
common__passwordReused = Vous avez déjà utilisé ce mot de passe. Choisissez-en un nouveau.
common__webauthnUnsupported = Ce navigateur ne peut pas utiliser de clés de sécurité ni de clés d'accès. Essayez une autre méthode.
common__webauthnNoAnswer = La clé de sécurité ou la clé d'accès n'a pas répondu. Réessayez, ou essayez une autre méthode.

device-code-activation__usedTitle = Ce code n'est plus utilisable
device-code-activation__usedDescription = Il a été utilisé dans un autre navigateur, ou il a expiré. Recommencez sur votre appareil.
device-code-activation__invalidCode = Ce code n'est pas valide, ou il a expiré. Vérifiez le code sur votre appareil ; s'il a expiré, recommencez sur l'appareil.
device-code-activation__tooManyWrongCodes = Trop de codes erronés depuis votre adresse réseau. Réessayez dans quelques minutes.

device-code-activation-allowed__title = Votre appareil est connecté
device-code-activation-allowed__description = { $clientName } est connecté sur votre appareil. Vous pouvez fermer cette page et y retourner.

device-code-activation-denied__title = Votre appareil n'a pas été connecté
device-code-activation-denied__cancelledDescription = Vous avez annulé : l'appareil n'a donc pas été connecté.
device-code-activation-denied__description = La connexion n'a pas abouti : l'appareil n'a donc pas été connecté. Recommencez sur votre appareil.

device-code-confirmation__usedDescription = Il a expiré, a été annulé ou a été confirmé dans un autre navigateur. Recommencez sur votre appareil.

email-verification-result__verifiedTitle = Adresse e-mail vérifiée
email-verification-result__verifiedDescription = Merci : votre adresse e-mail est vérifiée. Vous pouvez fermer cette page ou continuer.
email-verification-result__errorTitle = Ce lien ne permet plus de vérifier votre adresse
email-verification-result__invalidAccountOrCodeDescription = Les liens de vérification ne fonctionnent qu'une fois, pendant une durée limitée, et uniquement pour l'adresse à laquelle ils ont été envoyés. Demandez à l'application de vous en envoyer un nouveau.
email-verification-result__buttonText = Continuer

error-page__logoutTitle = Nous n'avons pas pu vous déconnecter
error-page__logoutDescription = L'application a envoyé une demande de déconnexion non valide : vous êtes donc toujours connecté. Retournez-y et réessayez ; si le problème persiste, prévenez l'équipe de l'application en lui transmettant les détails techniques ci-dessous.
error-page__authorizeTitle = Nous n'avons pas pu vous connecter
error-page__authorizeDescription = L'application a envoyé une demande de connexion non valide. Retournez-y et réessayez ; si le problème persiste, prévenez l'équipe de l'application en lui transmettant les détails techniques ci-dessous.
error-page__tooManyFlowsTitle = Trop de demandes de connexion
error-page__tooManyFlowsDescription = Trop de demandes de connexion inachevées depuis votre adresse réseau. Terminez-en une, ou réessayez dans quelques minutes.
error-page__invalidFormTitle = Formulaire non valide
error-page__deniedTitle = Vous ne pouvez pas vous connecter ici
error-page__userBlocked = Ce compte est bloqué.
error-page__expiredTitle = Cette page a expiré
error-page__expiredDescription = Les pages de connexion sont valables 10 minutes, dans le navigateur qui les a ouvertes. Retournez à l'application et reconnectez-vous.
error-page__formNotVerifiedBack = Le formulaire n'a pas pu être vérifié. Retournez à l'application et réessayez.
error-page__genericTitle = Une erreur s'est produite
error-page__formUnreadableBack = Le formulaire n'a pas pu être lu. Retournez à l'application et réessayez.
error-page__notCompletedDescription = La connexion n'a pas pu aboutir. Retournez à l'application et réessayez.
error-page__formNotVerified = Le formulaire n'a pas pu être vérifié.
error-page__methodUnavailableTitle = Ce moyen de connexion n'est pas disponible
error-page__methodNotOffered = L'application ne propose pas ce moyen de connexion.
error-page__upstreamExpiredTitle = Cette connexion a expiré
error-page__upstreamExpiredDescription = La réponse du fournisseur de connexion est inconnue, a déjà été utilisée ou est arrivée trop tard. Retournez à l'application et reconnectez-vous.
error-page__connectionNotInOrganization = Cette connexion n'est pas activée pour l'organisation.
error-page__passkeysUnavailable = Les clés d'accès ne peuvent pas être utilisées ici. Retournez à l'application et reconnectez-vous.
error-page__signupDisabled = Cette application n'accepte pas de nouvelles inscriptions. Demandez un compte à son administrateur.
error-page__accountNotMade = Votre compte n'a pas pu être créé. Réessayez.

login__memberSelfServiceTitle = Non disponible pour le tableau de bord
login__noConnectionTitle = Aucun moyen de se connecter
login__noConnectionDescription = Aucun moyen de connexion n'est activé pour cette application. Son administrateur peut y activer une connexion.
login__passkeyFailed = Cette clé d'accès n'a pas pu vous connecter. Réessayez, ou utilisez votre mot de passe.
login__user-blocked = Votre compte a été bloqué après plusieurs tentatives de connexion consécutives. Réessayez plus tard ou réinitialisez votre mot de passe.
login__ip-blocked = Trop de tentatives de connexion échouées depuis votre adresse réseau : les prochaines tentatives sont ralenties pendant un moment. Réessayez plus tard.

logout-complete__title = Vous êtes déconnecté
logout-complete__description = Vous pouvez fermer cette fenêtre.

mfa__unavailableTitle = Second facteur non disponible
mfa__unavailableDescription = Cette application demande un type de second facteur que votre compte ne possède pas. Demandez de l'aide à l'administrateur de l'application.
mfa__methodUnavailable = Ce moyen de vérification n'est pas disponible. Retournez à l'application et réessayez.
mfa__enrollTitle = Sécurisez votre compte
mfa__challengeTitle = Vérifiez votre identité
mfa__verifiedDescription = Votre identité est vérifiée.
mfa__buttonText = Continuer
mfa__codeLabel = Code à usage unique
mfa__rememberBrowserText = Se souvenir de ce navigateur pendant { $days } { $days ->
    [one] jour
   *[other] jours
}
mfa__tooManyWrongCodes = Trop de codes erronés. Attendez 15 minutes avant de réessayer.
mfa__wrongCode = Ce code n'est pas correct. Vérifiez-le et réessayez.

mfa-begin-enroll-options__description = { $clientName } demande une deuxième étape lors de la connexion. Choisissez comment vous prouverez que c'est bien vous.
mfa-begin-enroll-options__otpText = Application d'authentification
mfa-begin-enroll-options__emailText = E-mail
mfa-begin-enroll-options__webauthnRoamingText = Clé de sécurité
mfa-begin-enroll-options__webauthnPlatformText = Cet appareil (empreinte, visage ou verrouillage d'écran)

mfa-email-challenge__sendFailedTitle = Le code n'a pas pu être envoyé
mfa-email-challenge__sendFailedDescription = L'e-mail de vérification n'a pas pu être envoyé. Réessayez dans quelques minutes.
mfa-email-challenge__description = Nous avons envoyé un e-mail contenant un code à 6 chiffres à { $email }. Il est valable cinq minutes.
mfa-email-challenge__codeExpired = Ce code a expiré. Nous vous en avons envoyé un nouveau.

mfa-login-options__title = Essayer une autre méthode
mfa-login-options__otpText = Utiliser votre application d'authentification
mfa-login-options__emailText = Recevoir un code par e-mail
mfa-login-options__recoveryCodeText = Utiliser votre code de récupération
mfa-login-options__webauthnRoamingText = Utiliser votre clé de sécurité
mfa-login-options__webauthnPlatformText = Utiliser cet appareil (empreinte, visage ou verrouillage d'écran)
mfa-login-options__passkeyText = Utiliser votre clé d'accès

mfa-otp-challenge__description = Saisissez le code à 6 chiffres affiché par votre application d'authentification.

mfa-otp-enrollment-qr__qrFailed = Le QR code n'a pas pu être généré. Réessayez.
mfa-otp-enrollment-qr__description = Scannez le QR code avec une application d'authentification (Google Authenticator, Microsoft Authenticator, 1Password…), puis saisissez le code à 6 chiffres qu'elle affiche.
mfa-otp-enrollment-qr__qrAlt = QR code à scanner avec votre application d'authentification
mfa-otp-enrollment-qr__cantScanText = Impossible de scanner le code ?
mfa-otp-enrollment-qr__manualKeyText = Ajoutez un compte dans votre application avec cette clé :

mfa-recovery-code-challenge__description = Saisissez le code de récupération que vous avez enregistré lors de la configuration de votre second facteur.
mfa-recovery-code-challenge__codeLabel = Code de récupération
mfa-recovery-code-challenge__wrongCode = Ce code de récupération n'est pas correct. Vérifiez-le et réessayez.

mfa-recovery-code-enrollment__title = Enregistrez votre code de récupération
mfa-recovery-code-enrollment__description = Si vous perdez un jour votre appareil, ce code vous permettra de retrouver l'accès. Conservez-le en lieu sûr : il n'est affiché que maintenant et ne fonctionne qu'une fois.
mfa-recovery-code-enrollment__checkboxText = J'ai noté ce code en lieu sûr

mfa-webauthn__unavailableTitle = Les clés de sécurité ne sont pas disponibles
mfa-webauthn__unavailableDescription = Les clés de sécurité et les authentificateurs d'appareil ne peuvent pas être utilisés ici. Retournez à l'application et réessayez, ou demandez de l'aide à son administrateur.
mfa-webauthn__registerButtonText = Enregistrer
mfa-webauthn__failed = Cela n'a pas fonctionné. Réessayez, ou essayez une autre méthode.

mfa-webauthn-platform-challenge__description = Confirmez que c'est bien vous avec l'empreinte, le visage ou le verrouillage d'écran de cet appareil.

mfa-webauthn-platform-enrollment__description = Enregistrez cet appareil : désormais, son empreinte, son visage ou son verrouillage d'écran confirme que c'est bien vous lors de la connexion.

mfa-webauthn-roaming-challenge__description = Insérez ou touchez votre clé de sécurité lorsque votre navigateur vous le demande.

mfa-webauthn-roaming-enrollment__description = Enregistrez votre clé de sécurité : insérez-la ou touchez-la lorsque votre navigateur vous le demande.

organization-picker__unknownOrganization = Aucune organisation ne porte ce nom. Vérifiez-le auprès de votre administrateur.

organization-selection__invalidChoice = Choisissez l'une des organisations de la liste.

passkey-enrollment__unavailableTitle = Les clés d'accès ne sont pas disponibles
passkey-enrollment__unavailableDescription = Impossible de créer une clé d'accès ici pour le moment. Retournez à l'application et reconnectez-vous.
passkey-enrollment__failed = La clé d'accès n'a pas pu être créée. Réessayez, ou continuez sans clé d'accès.
passkey-enrollment__alreadyRegistered = Cette clé d'accès est déjà enregistrée. Essayez-en une autre, ou continuez sans clé d'accès.

passwordless-code__wrongCode = Ce code n'est pas correct. Vérifiez-le et réessayez.
passwordless-code__tooManyWrongCodes = Trop de codes erronés : ce code ne fonctionne plus. Demandez-en un nouveau.
passwordless-code__expiredCode = Ce code a expiré. Demandez-en un nouveau.

passwordless-link__expiredTitle = Ce lien ne fonctionne plus
passwordless-link__expiredDescription = Les liens de connexion ne fonctionnent qu'une fois, pendant quelques minutes, dans le navigateur qui les a demandés. Retournez à l'application et demandez-en un nouveau.
passwordless-link__formNotVerified = Le formulaire n'a pas pu être vérifié. Rouvrez le lien reçu par e-mail.

passwordless-start__unavailableTitle = Non disponible
passwordless-start__unavailableDescription = Ce moyen de connexion n'est pas activé pour cette application.
passwordless-start__invalidEmail = Saisissez une adresse e-mail valide.
passwordless-start__invalidPhone = Saisissez un numéro de téléphone avec l'indicatif du pays, par exemple +33123456789.
passwordless-start__tooManySent = Trop de codes ont été envoyés ; patientez un moment et réessayez.
passwordless-start__sendFailed = Le code n'a pas pu être envoyé. Réessayez dans un instant.

reset-password-email__title = Consultez vos e-mails
reset-password-email__description = Si un compte existe pour cette adresse, nous y avons envoyé un lien pour réinitialiser le mot de passe. Le lien ne fonctionne qu'une fois, pendant 24 heures.

reset-password-error__eventTitleExpired = Ce lien a expiré
reset-password-error__descriptionExpired = Les liens de réinitialisation du mot de passe ne fonctionnent qu'une fois, pendant une durée limitée. Pour en obtenir un nouveau, retournez à l'application, choisissez « Mot de passe oublié ? » sur sa page de connexion et saisissez votre adresse e-mail.

reset-password-request__tooManyTitle = Trop de demandes
reset-password-request__tooManyDescription = Trop de demandes de réinitialisation du mot de passe depuis votre adresse réseau. Réessayez plus tard.

reset-password-success__title = Mot de passe modifié
reset-password-success__description = Vous pouvez maintenant vous connecter avec votre nouveau mot de passe. Pour votre sécurité, vous avez été déconnecté partout : toutes les sessions et tous les jetons d'actualisation de votre compte ont pris fin, et tout autre lien de réinitialisation qui vous a été envoyé ne fonctionne plus.
reset-password-success__buttonText = Continuer

signup__unavailableTitle = Inscription non disponible
signup__unavailableDescription = Cette application n'accepte pas de nouvelles inscriptions. Demandez un compte à son administrateur.
signup__invalid-username = Les noms d'utilisateur comportent de { $min } à { $max } caractères : lettres, chiffres et _ + - . ! # $ ' ^ ` ~ @.
signup__password-required = Saisissez un mot de passe.
signup__invalid-email-format = Saisissez une adresse e-mail valide.
signup__invalid-details = Ces informations ne permettent pas de s'inscrire. Vérifiez-les et réessayez.
signup__user-exists = Cet utilisateur existe déjà.
signup__passkeyFailed = La clé d'accès n'a pas pu être créée. Réessayez, ou inscrivez-vous avec un mot de passe.
signup__passkeyRegistered = Cette clé d'accès est déjà enregistrée.

unblock__expiredTitle = Ce lien ne permet plus de débloquer votre compte
unblock__expiredDescription = Les liens de déblocage ne fonctionnent qu'une fois, pendant une durée limitée. Si votre compte est toujours bloqué, patientez un peu et réessayez, ou réinitialisez votre mot de passe.
unblock__doneTitle = Votre compte est débloqué
unblock__doneDescription = Vous pouvez vous reconnecter. Si les tentatives échouées ne venaient pas de vous, changez votre mot de passe.

error-page__formTooLarge = Le formulaire est trop volumineux.
error-page__formUnreadable = Le formulaire n'a pas pu être lu.
error-page__formContentType = Le formulaire doit être envoyé en application/x-www-form-urlencoded.
error-page__formDuplicateField = Un champ du formulaire a été envoyé plusieurs fois.
consent__openidScope = Savoir qui vous êtes
consent__profileScope = Voir votre nom, votre pseudonyme et votre photo
consent__emailScope = Voir votre adresse e-mail
consent__offlineAccessScope = Rester connecté à votre compte
