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
