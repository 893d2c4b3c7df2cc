# Português.

common__footerText = Protegido por Portcullis
common__showPasswordText = Mostrar senha
common__separatorText = ou
common__technicalDetails = Detalhes técnicos

login__pageTitle = Entrar
login__title = Boas-vindas
login__description = Entre para continuar em { $clientName }.
login__emailPlaceholder = Endereço de e-mail
login__usernamePlaceholder = Nome de usuário ou endereço de e-mail
login__passwordPlaceholder = Senha
login__buttonText = Continuar
login__federatedConnectionButtonText = Continuar com { $connectionName }
login__passkeyButtonText = Continuar com uma chave de acesso
login__forgotPasswordText = Esqueceu a senha?
login__signupActionText = Não tem uma conta?
login__signupActionLinkText = Cadastre-se
login__memberNote = Os membros do painel são adicionados, e suas senhas redefinidas, por um administrador.
login__wrong-credentials = E-mail ou senha incorretos.
login__no-credentials = Digite seu endereço de e-mail e sua senha.

login-id__pageTitle = Entrar
login-id__title = Boas-vindas
login-id__description = Entre para continuar em { $clientName }.
login-id__emailPlaceholder = Endereço de e-mail
login-id__usernamePlaceholder = Nome de usuário ou endereço de e-mail
login-id__buttonText = Continuar
login-id__signupActionText = Não tem uma conta?
login-id__signupActionLinkText = Cadastre-se
login-id__no-email = Digite seu endereço de e-mail.

login-password__pageTitle = Digite sua senha
login-password__title = Digite sua senha
login-password__description = Digite sua senha de { $clientName } para continuar.
login-password__passwordPlaceholder = Senha
login-password__buttonText = Continuar
login-password__forgotPasswordText = Esqueceu a senha?
login-password__editEmailText = Editar
login-password__wrong-credentials = E-mail ou senha incorretos.

signup__pageTitle = Cadastrar-se
signup__title = Crie sua conta
signup__description = Cadastre-se para continuar em { $clientName }.
signup__emailPlaceholder = Endereço de e-mail
signup__usernamePlaceholder = Nome de usuário
signup__passwordPlaceholder = Senha
signup__passwordHint = Pelo menos 8 caracteres, com letras minúsculas e maiúsculas e um número.
signup__buttonText = Continuar
signup__passkeyButtonText = Cadastrar-se com uma chave de acesso
signup__passkeyHint = Sem senha: a impressão digital, o rosto ou o bloqueio de tela deste dispositivo faz seu login.
signup__loginActionText = Já tem uma conta?
signup__loginActionLinkText = Entrar

consent__pageTitle = Autorizar
consent__title = Autorizar { $clientName }
consent__description = Olá, { $userName }. { $clientName } está pedindo para:
consent__onApi = em { $api }
consent__acceptButtonText = Aceitar
consent__declineButtonText = Recusar

reset-password-request__pageTitle = Redefinir sua senha
reset-password-request__title = Esqueceu a senha?
reset-password-request__description = Digite seu endereço de e-mail e enviaremos um link para redefini-la.
reset-password-request__emailPlaceholder = Endereço de e-mail
reset-password-request__buttonText = Enviar o link
reset-password-request__backToLoginLinkText = Voltar para entrar

reset-password__pageTitle = Alterar sua senha
reset-password__title = Alterar sua senha
reset-password__description = Escolha uma nova senha.
reset-password__passwordPlaceholder = Nova senha
reset-password__buttonText = Redefinir senha

common__continueTitle = Entrando
common__continueDescription = Você está sendo levado de volta ao aplicativo.
common__continueButtonText = Continuar

device-code-activation__title = Ative seu dispositivo
device-code-activation__description = Digite o código mostrado no seu dispositivo.
device-code-activation__codeLabel = Código
device-code-activation__codeHint = Oito letras, como BDWP-HQPK.
device-code-activation__buttonText = Continuar

device-code-confirmation__title = Confirme seu dispositivo
device-code-confirmation__description = { $clientName } em um dispositivo está pedindo para entrar com a sua conta. Continue somente se o seu dispositivo mostrar este código:
device-code-confirmation__cancelButtonText = Cancelar
device-code-confirmation__confirmButtonText = Confirmar

organization-picker__title = Informe sua organização
organization-picker__description = { $clientName } faz seu login por meio da sua organização.
organization-picker__organizationLabel = Nome da organização
organization-picker__buttonText = Continuar

organization-selection__title = Escolha uma organização
organization-selection__description = Com qual organização você quer usar { $clientName }?

passkey-enrollment__title = Criar uma chave de acesso
passkey-enrollment__signupDescription = Sua conta de { $clientName } ({ $email }) não terá senha: a impressão digital, o rosto ou o bloqueio de tela deste dispositivo faz seu login. Uma chave de acesso não pode ser adivinhada nem roubada por phishing.
passkey-enrollment__description = Da próxima vez, entre em { $clientName } com a impressão digital, o rosto ou o bloqueio de tela deste dispositivo em vez da sua senha. Uma chave de acesso não pode ser adivinhada nem roubada por phishing.
passkey-enrollment__buttonText = Criar uma chave de acesso
passkey-enrollment__passwordInsteadText = Cadastrar-se com uma senha
passkey-enrollment__skipButtonText = Agora não

unblock__title = Desbloqueie sua conta
unblock__description = Sua conta { $email } foi bloqueada após várias tentativas de login malsucedidas. Se essas tentativas foram suas, desbloqueie-a e entre novamente.
unblock__buttonText = Desbloquear minha conta
unblock__notYoursText = Se não foram suas, alguém pode estar tentando adivinhar sua senha: altere-a.

passwordless-code__title = Digite seu código
passwordless-code__description = Enviamos um código para { $recipient }. Digite-o para continuar em { $clientName }.
passwordless-code__codeLabel = Código
passwordless-code__buttonText = Continuar
passwordless-code__resendText = Enviar um novo código

passwordless-link__confirmTitle = Continuar como { $recipient }?
passwordless-link__confirmDescription = Este link de acesso é para { $recipient } em { $clientName }. Continue somente se você o pediu.
passwordless-link__confirmButtonText = Continuar
passwordless-link__sentTitle = Verifique seu e-mail
passwordless-link__sentDescription = Enviamos um link de acesso para { $recipient }. Abra-o neste navegador para continuar em { $clientName }.
passwordless-link__resendText = Enviar um novo link

passwordless-start__emailTitle = Entrar com seu e-mail
passwordless-start__smsTitle = Entrar com seu telefone
passwordless-start__emailDescription = Enviaremos por e-mail um código ou um link para continuar em { $clientName }.
passwordless-start__smsDescription = Enviaremos um código por SMS para continuar em { $clientName }.
passwordless-start__emailLabel = Endereço de e-mail
passwordless-start__phoneLabel = Número de telefone
passwordless-start__phoneHint = Com o código do país, como +5511912345678.
passwordless-start__emailCodeButtonText = Enviar um código por e-mail
passwordless-start__smsCodeButtonText = Enviar um código por SMS
passwordless-start__emailLinkButtonText = Enviar um link por e-mail
passwordless-start__otherMethodsText = Outras formas de entrar
