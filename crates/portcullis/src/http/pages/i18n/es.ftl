# Español.

common__footerText = Protegido por Portcullis
common__showPasswordText = Mostrar contraseña
common__separatorText = o
common__technicalDetails = Detalles técnicos

login__pageTitle = Iniciar sesión
login__title = Te damos la bienvenida
login__description = Inicia sesión para continuar en { $clientName }.
login__emailPlaceholder = Correo electrónico
login__usernamePlaceholder = Nombre de usuario o correo electrónico
login__passwordPlaceholder = Contraseña
login__buttonText = Continuar
login__federatedConnectionButtonText = Continuar con { $connectionName }
login__passkeyButtonText = Continuar con una llave de acceso
login__forgotPasswordText = ¿Olvidaste tu contraseña?
login__signupActionText = ¿No tienes una cuenta?
login__signupActionLinkText = Regístrate
login__memberNote = Los miembros del panel los añade, y les restablece la contraseña, un administrador.
login__wrong-credentials = Correo electrónico o contraseña incorrectos.
login__no-credentials = Escribe tu correo electrónico y tu contraseña.

login-id__pageTitle = Iniciar sesión
login-id__title = Te damos la bienvenida
login-id__description = Inicia sesión para continuar en { $clientName }.
login-id__emailPlaceholder = Correo electrónico
login-id__usernamePlaceholder = Nombre de usuario o correo electrónico
login-id__buttonText = Continuar
login-id__signupActionText = ¿No tienes una cuenta?
login-id__signupActionLinkText = Regístrate
login-id__no-email = Escribe tu correo electrónico.

login-password__pageTitle = Escribe tu contraseña
login-password__title = Escribe tu contraseña
login-password__description = Escribe tu contraseña de { $clientName } para continuar.
login-password__passwordPlaceholder = Contraseña
login-password__buttonText = Continuar
login-password__forgotPasswordText = ¿Olvidaste tu contraseña?
login-password__editEmailText = Editar
login-password__wrong-credentials = Correo electrónico o contraseña incorrectos.

signup__pageTitle = Registrarse
signup__title = Crea tu cuenta
signup__description = Regístrate para continuar en { $clientName }.
signup__emailPlaceholder = Correo electrónico
signup__usernamePlaceholder = Nombre de usuario
signup__passwordPlaceholder = Contraseña
signup__passwordHint = Al menos 8 caracteres, con minúsculas, mayúsculas y un número.
signup__buttonText = Continuar
signup__passkeyButtonText = Registrarse con una llave de acceso
signup__passkeyHint = Sin contraseña: la huella, el rostro o el bloqueo de pantalla de este dispositivo inicia tu sesión.
signup__loginActionText = ¿Ya tienes una cuenta?
signup__loginActionLinkText = Inicia sesión

consent__pageTitle = Autorizar
consent__title = Autorizar { $clientName }
consent__description = Hola { $userName }, { $clientName } solicita:
consent__onApi = en { $api }
consent__acceptButtonText = Aceptar
consent__declineButtonText = Rechazar

reset-password-request__pageTitle = Restablecer tu contraseña
reset-password-request__title = ¿Olvidaste tu contraseña?
reset-password-request__description = Escribe tu correo electrónico y te enviaremos un enlace para restablecerla.
reset-password-request__emailPlaceholder = Correo electrónico
reset-password-request__buttonText = Enviar el enlace
reset-password-request__backToLoginLinkText = Volver a iniciar sesión

reset-password__pageTitle = Cambiar tu contraseña
reset-password__title = Cambiar tu contraseña
reset-password__description = Elige una contraseña nueva.
reset-password__passwordPlaceholder = Contraseña nueva
reset-password__buttonText = Restablecer contraseña

common__continueTitle = Iniciando sesión
common__continueDescription = Te estamos llevando de vuelta a la aplicación.
common__continueButtonText = Continuar

device-code-activation__title = Activa tu dispositivo
device-code-activation__description = Escribe el código que muestra tu dispositivo.
device-code-activation__codeLabel = Código
device-code-activation__codeHint = Ocho letras, como BDWP-HQPK.
device-code-activation__buttonText = Continuar

device-code-confirmation__title = Confirma tu dispositivo
device-code-confirmation__description = { $clientName } solicita iniciar sesión con tu cuenta en un dispositivo. Continúa solo si tu dispositivo muestra este código:
device-code-confirmation__cancelButtonText = Cancelar
device-code-confirmation__confirmButtonText = Confirmar

organization-picker__title = Escribe tu organización
organization-picker__description = { $clientName } inicia tu sesión a través de tu organización.
organization-picker__organizationLabel = Nombre de la organización
organization-picker__buttonText = Continuar

organization-selection__title = Elige una organización
organization-selection__description = ¿Con qué organización quieres usar { $clientName }?

passkey-enrollment__title = Crear una llave de acceso
passkey-enrollment__signupDescription = Tu cuenta de { $clientName } ({ $email }) no tendrá contraseña: la huella, el rostro o el bloqueo de pantalla de este dispositivo inicia tu sesión. Una llave de acceso no se puede adivinar ni robar con phishing.
passkey-enrollment__description = La próxima vez, inicia sesión en { $clientName } con la huella, el rostro o el bloqueo de pantalla de este dispositivo en lugar de tu contraseña. Una llave de acceso no se puede adivinar ni robar con phishing.
passkey-enrollment__buttonText = Crear una llave de acceso
passkey-enrollment__passwordInsteadText = Registrarse con una contraseña
passkey-enrollment__skipButtonText = Ahora no

unblock__title = Desbloquea tu cuenta
unblock__description = Tu cuenta { $email } se bloqueó tras varios intentos fallidos de inicio de sesión. Si esos intentos fueron tuyos, desbloquéala e inicia sesión de nuevo.
unblock__buttonText = Desbloquear mi cuenta
unblock__notYoursText = Si no fueron tuyos, puede que alguien intente adivinar tu contraseña: cámbiala.

passwordless-code__title = Escribe tu código
passwordless-code__description = Enviamos un código a { $recipient }. Escríbelo para continuar en { $clientName }.
passwordless-code__codeLabel = Código
passwordless-code__buttonText = Continuar
passwordless-code__resendText = Enviar un código nuevo

passwordless-link__confirmTitle = ¿Continuar como { $recipient }?
passwordless-link__confirmDescription = Este enlace de inicio de sesión es para { $recipient } en { $clientName }. Continúa solo si lo pediste.
passwordless-link__confirmButtonText = Continuar
passwordless-link__sentTitle = Revisa tu correo
passwordless-link__sentDescription = Enviamos un enlace de inicio de sesión a { $recipient }. Ábrelo en este navegador para continuar en { $clientName }.
passwordless-link__resendText = Enviar un enlace nuevo

passwordless-start__emailTitle = Inicia sesión con tu correo
passwordless-start__smsTitle = Inicia sesión con tu teléfono
passwordless-start__emailDescription = Te enviaremos por correo un código o un enlace para continuar en { $clientName }.
passwordless-start__smsDescription = Te enviaremos un código por SMS para continuar en { $clientName }.
passwordless-start__emailLabel = Correo electrónico
passwordless-start__phoneLabel = Número de teléfono
passwordless-start__phoneHint = Con el código de país, como +34912345678.
passwordless-start__emailCodeButtonText = Envíame un código por correo
passwordless-start__smsCodeButtonText = Envíame un código por SMS
passwordless-start__emailLinkButtonText = Envíame un enlace por correo
passwordless-start__otherMethodsText = Otras formas de iniciar sesión

# Mensajes del servidor: páginas de mensajes, errores de formulario, indicaciones y las páginas de MFA.

common__backToApplication = Volver a { $clientName }
common__passwordHintLow = Al menos { $length } { $length ->
    [one] carácter
   *[other] caracteres
}.
common__passwordHintFair = Al menos { $length } { $length ->
    [one] carácter
   *[other] caracteres
}, con minúsculas, mayúsculas y un número.
common__passwordHintGood = Al menos { $length } { $length ->
    [one] carácter
   *[other] caracteres
}, con tres de estos tipos: minúsculas, mayúsculas, números y caracteres especiales.
common__passwordHintExcellent = Al menos { $length } { $length ->
    [one] carácter
   *[other] caracteres
}, con tres de estos tipos: minúsculas, mayúsculas, números y caracteres especiales; sin repetir un carácter tres veces seguidas.
common__passwordTooWeak = Esta contraseña es demasiado débil.
common__passwordTooLong = Esta contraseña es demasiado larga: como máximo { $max } bytes.
common__passwordTooCommon = Esta contraseña es demasiado común. Elige otra.
common__passwordPersonalInfo = Esta contraseña contiene tu nombre, tu nombre de usuario o tu correo electrónico. Elige otra.
common__passwordReused = Ya has usado esta contraseña antes. Elige una nueva.
common__webauthnUnsupported = Este navegador no puede usar llaves de seguridad ni llaves de acceso. Prueba otro método.
common__webauthnNoAnswer = La llave de seguridad o la llave de acceso no respondió. Inténtalo de nuevo o prueba otro método.

device-code-activation__usedTitle = Este código ya no se puede usar
device-code-activation__usedDescription = Se ha usado en otro navegador o ha caducado. Vuelve a empezar en tu dispositivo.
device-code-activation__invalidCode = Este código no es válido o ha caducado. Comprueba el código en tu dispositivo; si ha caducado, vuelve a empezar en el dispositivo.
device-code-activation__tooManyWrongCodes = Demasiados códigos incorrectos desde tu dirección de red. Inténtalo de nuevo en unos minutos.

device-code-activation-allowed__title = Tu dispositivo está conectado
device-code-activation-allowed__description = { $clientName } ya tiene la sesión iniciada en tu dispositivo. Puedes cerrar esta página y volver a él.

device-code-activation-denied__title = Tu dispositivo no se ha conectado
device-code-activation-denied__cancelledDescription = Cancelaste, así que el dispositivo no se ha conectado.
device-code-activation-denied__description = El inicio de sesión no se completó, así que el dispositivo no se ha conectado. Vuelve a empezar en tu dispositivo.

device-code-confirmation__usedDescription = Ha caducado, se canceló o se confirmó en otro navegador. Vuelve a empezar en tu dispositivo.

email-verification-result__verifiedTitle = Correo electrónico verificado
email-verification-result__verifiedDescription = Gracias: tu correo electrónico está verificado. Puedes cerrar esta página o continuar.
email-verification-result__errorTitle = Este enlace ya no puede verificar tu dirección
email-verification-result__invalidAccountOrCodeDescription = Los enlaces de verificación funcionan una sola vez, durante un tiempo limitado y solo para la dirección a la que se enviaron. Pide a la aplicación que te envíe uno nuevo.
email-verification-result__buttonText = Continuar

error-page__logoutTitle = No hemos podido cerrar tu sesión
error-page__logoutDescription = La aplicación envió una solicitud de cierre de sesión no válida, así que tu sesión sigue iniciada. Vuelve a ella e inténtalo de nuevo; si sigue ocurriendo, avisa al equipo de la aplicación con los detalles técnicos que aparecen abajo.
error-page__authorizeTitle = No hemos podido iniciar tu sesión
error-page__authorizeDescription = La aplicación envió una solicitud de inicio de sesión no válida. Vuelve a ella e inténtalo de nuevo; si sigue ocurriendo, avisa al equipo de la aplicación con los detalles técnicos que aparecen abajo.
error-page__tooManyFlowsTitle = Demasiadas solicitudes de inicio de sesión
error-page__tooManyFlowsDescription = Hay demasiadas solicitudes de inicio de sesión sin terminar desde tu dirección de red. Termina una o inténtalo de nuevo en unos minutos.
error-page__invalidFormTitle = Formulario no válido
error-page__deniedTitle = No puedes iniciar sesión aquí
error-page__userBlocked = Esta cuenta está bloqueada.
error-page__expiredTitle = Esta página ha caducado
error-page__expiredDescription = Las páginas de inicio de sesión funcionan durante 10 minutos, en el navegador que las abrió. Vuelve a la aplicación e inicia sesión de nuevo.
error-page__formNotVerifiedBack = No se pudo verificar el formulario. Vuelve a la aplicación e inténtalo de nuevo.
error-page__genericTitle = Algo salió mal
error-page__formUnreadableBack = No se pudo leer el formulario. Vuelve a la aplicación e inténtalo de nuevo.
error-page__notCompletedDescription = No se pudo completar el inicio de sesión. Vuelve a la aplicación e inténtalo de nuevo.
error-page__formNotVerified = No se pudo verificar el formulario.
error-page__methodUnavailableTitle = Este método de inicio de sesión no está disponible
error-page__methodNotOffered = La aplicación no ofrece este método de inicio de sesión.
error-page__upstreamExpiredTitle = Este inicio de sesión ha caducado
error-page__upstreamExpiredDescription = La respuesta del proveedor de inicio de sesión es desconocida, ya se usó o llegó demasiado tarde. Vuelve a la aplicación e inicia sesión de nuevo.
error-page__connectionNotInOrganization = Esta conexión no está habilitada para la organización.
error-page__passkeysUnavailable = Aquí no se pueden usar llaves de acceso. Vuelve a la aplicación e inicia sesión de nuevo.
error-page__signupDisabled = Esta aplicación no admite registros nuevos. Pide una cuenta a su administrador.
error-page__accountNotMade = No se pudo crear tu cuenta. Inténtalo de nuevo.

login__memberSelfServiceTitle = No disponible para el panel
login__noConnectionTitle = No hay forma de iniciar sesión
login__noConnectionDescription = No hay ningún método de inicio de sesión habilitado para esta aplicación. Su administrador puede habilitarle una conexión.
login__passkeyFailed = No se pudo iniciar tu sesión con esa llave de acceso. Inténtalo de nuevo o usa tu contraseña.
login__user-blocked = Tu cuenta se ha bloqueado tras varios intentos de inicio de sesión consecutivos. Inténtalo más tarde o restablece tu contraseña.
login__ip-blocked = Demasiados intentos fallidos de inicio de sesión desde tu dirección de red: los próximos intentos se limitarán durante un tiempo. Inténtalo más tarde.

logout-complete__title = Has cerrado sesión
logout-complete__description = Puedes cerrar esta ventana.

mfa__unavailableTitle = Segundo factor no disponible
mfa__unavailableDescription = Esta aplicación pide un tipo de segundo factor que tu cuenta no tiene. Pide ayuda al administrador de la aplicación.
mfa__methodUnavailable = Esta forma de verificación no está disponible. Vuelve a la aplicación e inténtalo de nuevo.
mfa__enrollTitle = Protege tu cuenta
mfa__challengeTitle = Verifica tu identidad
mfa__verifiedDescription = Se ha verificado tu identidad.
mfa__buttonText = Continuar
mfa__codeLabel = Código de un solo uso
mfa__rememberBrowserText = Recordar este navegador durante { $days } { $days ->
    [one] día
   *[other] días
}
mfa__tooManyWrongCodes = Demasiados códigos incorrectos. Espera 15 minutos antes de volver a intentarlo.
mfa__wrongCode = Ese código no es correcto. Compruébalo e inténtalo de nuevo.

mfa-begin-enroll-options__description = { $clientName } pide un segundo paso al iniciar sesión. Elige cómo demostrarás que eres tú.
mfa-begin-enroll-options__otpText = Aplicación de autenticación
mfa-begin-enroll-options__emailText = Correo electrónico
mfa-begin-enroll-options__webauthnRoamingText = Llave de seguridad
mfa-begin-enroll-options__webauthnPlatformText = Este dispositivo (huella, rostro o bloqueo de pantalla)

mfa-email-challenge__sendFailedTitle = No se pudo enviar el código
mfa-email-challenge__sendFailedDescription = No se pudo enviar el correo de verificación. Inténtalo de nuevo en unos minutos.
mfa-email-challenge__description = Hemos enviado un correo con un código de 6 dígitos a { $email }. Es válido durante cinco minutos.
mfa-email-challenge__codeExpired = Ese código ha caducado. Te hemos enviado uno nuevo.

mfa-login-options__title = Prueba otro método
mfa-login-options__otpText = Usar tu aplicación de autenticación
mfa-login-options__emailText = Recibir un código por correo
mfa-login-options__recoveryCodeText = Usar tu código de recuperación
mfa-login-options__webauthnRoamingText = Usar tu llave de seguridad
mfa-login-options__webauthnPlatformText = Usar este dispositivo (huella, rostro o bloqueo de pantalla)
mfa-login-options__passkeyText = Usar tu llave de acceso

mfa-otp-challenge__description = Escribe el código de 6 dígitos de tu aplicación de autenticación.

mfa-otp-enrollment-qr__qrFailed = No se pudo generar el código QR. Inténtalo de nuevo.
mfa-otp-enrollment-qr__description = Escanea el código QR con una aplicación de autenticación (Google Authenticator, Microsoft Authenticator, 1Password…) y luego escribe el código de 6 dígitos que muestra.
mfa-otp-enrollment-qr__qrAlt = Código QR para escanear con tu aplicación de autenticación
mfa-otp-enrollment-qr__cantScanText = ¿No puedes escanear el código?
mfa-otp-enrollment-qr__manualKeyText = Añade una cuenta en tu aplicación con esta clave:

mfa-recovery-code-challenge__description = Escribe el código de recuperación que guardaste al configurar tu segundo factor.
mfa-recovery-code-challenge__codeLabel = Código de recuperación
mfa-recovery-code-challenge__wrongCode = Ese código de recuperación no es correcto. Compruébalo e inténtalo de nuevo.

mfa-recovery-code-enrollment__title = Guarda tu código de recuperación
mfa-recovery-code-enrollment__description = Si alguna vez pierdes tu dispositivo, este código te permitirá volver a entrar. Guárdalo en un lugar seguro: solo se muestra ahora y funciona una sola vez.
mfa-recovery-code-enrollment__checkboxText = He guardado este código en un lugar seguro

mfa-webauthn__unavailableTitle = Las llaves de seguridad no están disponibles
mfa-webauthn__unavailableDescription = Aquí no se pueden usar llaves de seguridad ni autenticadores del dispositivo. Vuelve a la aplicación e inténtalo de nuevo, o pide ayuda a su administrador.
mfa-webauthn__registerButtonText = Registrar
mfa-webauthn__failed = No ha funcionado. Inténtalo de nuevo o prueba otro método.

mfa-webauthn-platform-challenge__description = Confirma que eres tú con la huella, el rostro o el bloqueo de pantalla de este dispositivo.

mfa-webauthn-platform-enrollment__description = Registra este dispositivo: a partir de ahora, su huella, rostro o bloqueo de pantalla confirmará que eres tú al iniciar sesión.

mfa-webauthn-roaming-challenge__description = Inserta o toca tu llave de seguridad cuando tu navegador te lo pida.

mfa-webauthn-roaming-enrollment__description = Registra tu llave de seguridad: insértala o tócala cuando tu navegador te lo pida.

organization-picker__unknownOrganization = Ninguna organización tiene este nombre. Compruébalo con tu administrador.

organization-selection__invalidChoice = Elige una de las organizaciones de la lista.

passkey-enrollment__unavailableTitle = Las llaves de acceso no están disponibles
passkey-enrollment__unavailableDescription = Ahora no se puede crear una llave de acceso aquí. Vuelve a la aplicación e inicia sesión de nuevo.
passkey-enrollment__failed = No se pudo crear la llave de acceso. Inténtalo de nuevo o continúa sin ella.
passkey-enrollment__alreadyRegistered = Esta llave de acceso ya está registrada. Prueba con otra o continúa sin ella.

passwordless-code__wrongCode = Ese código no es correcto. Compruébalo e inténtalo de nuevo.
passwordless-code__tooManyWrongCodes = Demasiados códigos incorrectos: ese código ya no funciona. Pide uno nuevo.
passwordless-code__expiredCode = Ese código ha caducado. Pide uno nuevo.

passwordless-link__expiredTitle = Este enlace ya no funciona
passwordless-link__expiredDescription = Los enlaces de inicio de sesión funcionan una sola vez, durante unos minutos, en el navegador que los pidió. Vuelve a la aplicación y pide uno nuevo.
passwordless-link__formNotVerified = No se pudo verificar el formulario. Vuelve a abrir el enlace de tu correo.

passwordless-start__unavailableTitle = No disponible
passwordless-start__unavailableDescription = Esta forma de iniciar sesión no está habilitada para esta aplicación.
passwordless-start__invalidEmail = Escribe un correo electrónico válido.
passwordless-start__invalidPhone = Escribe un número de teléfono con el código de país, como +34912345678.
passwordless-start__tooManySent = Se han enviado demasiados códigos; espera un rato e inténtalo de nuevo.
passwordless-start__sendFailed = No se pudo enviar el código. Inténtalo de nuevo en un momento.

reset-password-email__title = Revisa tu correo
reset-password-email__description = Si existe una cuenta con esta dirección, le hemos enviado un enlace para restablecer la contraseña. El enlace funciona una sola vez, durante 24 horas.

reset-password-error__eventTitleExpired = Este enlace ha caducado
reset-password-error__descriptionExpired = Los enlaces para restablecer la contraseña funcionan una sola vez, durante un tiempo limitado. Para obtener uno nuevo, vuelve a la aplicación, elige «¿Olvidaste tu contraseña?» en su página de inicio de sesión y escribe tu correo electrónico.

reset-password-request__tooManyTitle = Demasiadas solicitudes
reset-password-request__tooManyDescription = Demasiadas solicitudes de restablecimiento de contraseña desde tu dirección de red. Inténtalo más tarde.

reset-password-success__title = Contraseña cambiada
reset-password-success__description = Ya puedes iniciar sesión con tu nueva contraseña. Por tu seguridad, se ha cerrado tu sesión en todas partes: todas las sesiones y todos los tokens de actualización de tu cuenta han finalizado, y cualquier otro enlace de restablecimiento que se te haya enviado ya no funciona.
reset-password-success__buttonText = Continuar

signup__unavailableTitle = El registro no está disponible
signup__unavailableDescription = Esta aplicación no admite registros nuevos. Pide una cuenta a su administrador.
signup__invalid-username = Los nombres de usuario tienen entre { $min } y { $max } caracteres: letras, dígitos y _ + - . ! # $ ' ^ ` ~ @.
signup__password-required = Escribe una contraseña.
signup__invalid-email-format = Escribe un correo electrónico válido.
signup__invalid-details = Estos datos no se pueden usar para registrarse. Revísalos e inténtalo de nuevo.
signup__user-exists = El usuario ya existe.
signup__passkeyFailed = No se pudo crear la llave de acceso. Inténtalo de nuevo o regístrate con una contraseña.
signup__passkeyRegistered = Esta llave de acceso ya está registrada.

unblock__expiredTitle = Este enlace ya no puede desbloquear tu cuenta
unblock__expiredDescription = Los enlaces de desbloqueo funcionan una sola vez, durante un tiempo limitado. Si tu cuenta sigue bloqueada, espera un poco e inténtalo de nuevo, o restablece tu contraseña.
unblock__doneTitle = Tu cuenta está desbloqueada
unblock__doneDescription = Ya puedes volver a iniciar sesión. Si los intentos fallidos no fueron tuyos, cambia tu contraseña.

error-page__formTooLarge = El formulario es demasiado grande.
error-page__formUnreadable = No se pudo leer el formulario.
error-page__formContentType = El formulario debe enviarse como application/x-www-form-urlencoded.
error-page__formDuplicateField = Un campo del formulario se envió más de una vez.
consent__openidScope = Saber quién eres
consent__profileScope = Ver tu nombre, apodo e imagen
consent__emailScope = Ver tu correo electrónico
consent__offlineAccessScope = Mantener la sesión iniciada en tu cuenta
