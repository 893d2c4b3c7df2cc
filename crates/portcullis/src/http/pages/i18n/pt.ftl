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

# Mensagens do servidor: páginas de mensagem, erros de formulário, dicas e as páginas de MFA.

common__backToApplication = Voltar para { $clientName }
common__passwordHintLow = Pelo menos { $length } { $length ->
    [one] caractere
   *[other] caracteres
}.
common__passwordHintFair = Pelo menos { $length } { $length ->
    [one] caractere
   *[other] caracteres
}, com letras minúsculas e maiúsculas e um número.
common__passwordHintGood = Pelo menos { $length } { $length ->
    [one] caractere
   *[other] caracteres
}, com três destes tipos: letras minúsculas, letras maiúsculas, números e caracteres especiais.
common__passwordHintExcellent = Pelo menos { $length } { $length ->
    [one] caractere
   *[other] caracteres
}, com três destes tipos: letras minúsculas, letras maiúsculas, números e caracteres especiais; nenhum caractere três vezes seguidas.
common__passwordTooWeak = Esta senha é fraca demais.
common__passwordTooLong = Esta senha é longa demais: no máximo { $max } bytes.
common__passwordTooCommon = Esta senha é comum demais. Escolha outra.
common__passwordPersonalInfo = Esta senha contém seu nome, nome de usuário ou endereço de e-mail. Escolha outra.
common__passwordReused = Você já usou esta senha antes. Escolha uma nova.
common__webauthnUnsupported = Este navegador não pode usar chaves de segurança nem chaves de acesso. Tente outro método.
common__webauthnNoAnswer = A chave de segurança ou chave de acesso não respondeu. Tente novamente ou use outro método.

device-code-activation__usedTitle = Este código não pode mais ser usado
device-code-activation__usedDescription = Ele foi usado em outro navegador ou expirou. Comece de novo no seu dispositivo.
device-code-activation__invalidCode = Este código não é válido ou expirou. Confira o código no seu dispositivo; se ele expirou, comece de novo no dispositivo.
device-code-activation__tooManyWrongCodes = Códigos incorretos demais a partir do seu endereço de rede. Tente novamente em alguns minutos.

device-code-activation-allowed__title = Seu dispositivo está conectado
device-code-activation-allowed__description = O login em { $clientName } foi feito no seu dispositivo. Você pode fechar esta página e voltar para ele.

device-code-activation-denied__title = Seu dispositivo não foi conectado
device-code-activation-denied__cancelledDescription = Você cancelou, então o dispositivo não foi conectado.
device-code-activation-denied__description = O login não foi concluído, então o dispositivo não foi conectado. Comece de novo no seu dispositivo.

device-code-confirmation__usedDescription = Ele expirou, foi cancelado ou foi confirmado em outro navegador. Comece de novo no seu dispositivo.

email-verification-result__verifiedTitle = Endereço de e-mail verificado
email-verification-result__verifiedDescription = Obrigado: seu endereço de e-mail foi verificado. Você pode fechar esta página ou continuar.
email-verification-result__errorTitle = Este link não pode mais verificar seu endereço
email-verification-result__invalidAccountOrCodeDescription = Os links de verificação funcionam uma única vez, por tempo limitado, e somente para o endereço ao qual foram enviados. Peça ao aplicativo para enviar um novo.
email-verification-result__buttonText = Continuar

error-page__logoutTitle = Não foi possível encerrar sua sessão
error-page__logoutDescription = O aplicativo enviou uma solicitação de logout inválida, então sua sessão continua ativa. Volte para ele e tente novamente; se isso continuar acontecendo, informe a equipe do aplicativo, com os detalhes técnicos abaixo.
error-page__authorizeTitle = Não foi possível fazer seu login
error-page__authorizeDescription = O aplicativo enviou uma solicitação de login inválida. Volte para ele e tente novamente; se isso continuar acontecendo, informe a equipe do aplicativo, com os detalhes técnicos abaixo.
error-page__tooManyFlowsTitle = Solicitações de login demais
error-page__tooManyFlowsDescription = Há solicitações de login não concluídas demais a partir do seu endereço de rede. Conclua uma delas ou tente novamente em alguns minutos.
error-page__invalidFormTitle = Formulário inválido
error-page__deniedTitle = Você não pode entrar aqui
error-page__userBlocked = Esta conta está bloqueada.
error-page__expiredTitle = Esta página expirou
error-page__expiredDescription = As páginas de login funcionam por 10 minutos, no navegador que as abriu. Volte para o aplicativo e entre novamente.
error-page__formNotVerifiedBack = Não foi possível verificar o formulário. Volte para o aplicativo e tente novamente.
error-page__genericTitle = Algo deu errado
error-page__formUnreadableBack = Não foi possível ler o formulário. Volte para o aplicativo e tente novamente.
error-page__notCompletedDescription = Não foi possível concluir o login. Volte para o aplicativo e tente novamente.
error-page__formNotVerified = Não foi possível verificar o formulário.
error-page__methodUnavailableTitle = Este método de login não está disponível
error-page__methodNotOffered = O aplicativo não oferece este método de login.
error-page__upstreamExpiredTitle = Este login expirou
error-page__upstreamExpiredDescription = A resposta do provedor de login é desconhecida, já foi usada ou chegou tarde demais. Volte para o aplicativo e entre novamente.
error-page__connectionNotInOrganization = Esta conexão não está habilitada para a organização.
error-page__passkeysUnavailable = Não é possível usar chaves de acesso aqui. Volte para o aplicativo e entre novamente.
error-page__signupDisabled = Este aplicativo não aceita novos cadastros. Peça uma conta ao administrador dele.
error-page__accountNotMade = Não foi possível criar sua conta. Tente novamente.

login__memberSelfServiceTitle = Indisponível para o painel
login__noConnectionTitle = Não há como entrar
login__noConnectionDescription = Nenhum método de login está habilitado para este aplicativo. O administrador dele pode habilitar uma conexão.
login__passkeyFailed = Não foi possível entrar com essa chave de acesso. Tente novamente ou use sua senha.
login__user-blocked = Sua conta foi bloqueada após várias tentativas de login consecutivas. Tente novamente mais tarde ou redefina sua senha.
login__ip-blocked = Tentativas de login malsucedidas demais a partir do seu endereço de rede: novas tentativas ficarão limitadas por um tempo. Tente novamente mais tarde.

logout-complete__title = Você saiu
logout-complete__description = Você pode fechar esta janela.

mfa__unavailableTitle = Segundo fator indisponível
mfa__unavailableDescription = Este aplicativo pede um tipo de segundo fator que sua conta não tem. Peça ajuda ao administrador do aplicativo.
mfa__methodUnavailable = Esta forma de verificação não está disponível. Volte para o aplicativo e tente novamente.
mfa__enrollTitle = Proteja sua conta
mfa__challengeTitle = Confirme sua identidade
mfa__verifiedDescription = Sua identidade foi verificada.
mfa__buttonText = Continuar
mfa__codeLabel = Código de uso único
mfa__rememberBrowserText = Lembrar este navegador por { $days } { $days ->
    [one] dia
   *[other] dias
}
mfa__tooManyWrongCodes = Códigos incorretos demais. Aguarde 15 minutos antes de tentar novamente.
mfa__wrongCode = Esse código não está correto. Confira e tente novamente.

mfa-begin-enroll-options__description = { $clientName } pede uma segunda etapa quando você entra. Escolha como vai provar que é você.
mfa-begin-enroll-options__otpText = Aplicativo autenticador
mfa-begin-enroll-options__emailText = E-mail
mfa-begin-enroll-options__webauthnRoamingText = Chave de segurança
mfa-begin-enroll-options__webauthnPlatformText = Este dispositivo (impressão digital, rosto ou bloqueio de tela)

mfa-email-challenge__sendFailedTitle = Não foi possível enviar o código
mfa-email-challenge__sendFailedDescription = Não foi possível enviar o e-mail de verificação. Tente novamente em alguns minutos.
mfa-email-challenge__description = Enviamos um e-mail com um código de 6 dígitos para { $email }. Ele vale por cinco minutos.
mfa-email-challenge__codeExpired = Esse código expirou. Enviamos um novo para você.

mfa-login-options__title = Tente outro método
mfa-login-options__otpText = Usar seu aplicativo autenticador
mfa-login-options__emailText = Receber um código por e-mail
mfa-login-options__recoveryCodeText = Usar seu código de recuperação
mfa-login-options__webauthnRoamingText = Usar sua chave de segurança
mfa-login-options__webauthnPlatformText = Usar este dispositivo (impressão digital, rosto ou bloqueio de tela)
mfa-login-options__passkeyText = Usar sua chave de acesso

mfa-otp-challenge__description = Digite o código de 6 dígitos do seu aplicativo autenticador.

mfa-otp-enrollment-qr__qrFailed = Não foi possível gerar o código QR. Tente novamente.
mfa-otp-enrollment-qr__description = Escaneie o código QR com um aplicativo autenticador (Google Authenticator, Microsoft Authenticator, 1Password…) e digite o código de 6 dígitos que ele mostrar.
mfa-otp-enrollment-qr__qrAlt = Código QR para escanear com seu aplicativo autenticador
mfa-otp-enrollment-qr__cantScanText = Não consegue escanear o código?
mfa-otp-enrollment-qr__manualKeyText = Adicione uma conta no seu aplicativo com esta chave:

mfa-recovery-code-challenge__description = Digite o código de recuperação que você guardou ao configurar seu segundo fator.
mfa-recovery-code-challenge__codeLabel = Código de recuperação
mfa-recovery-code-challenge__wrongCode = Esse código de recuperação não está correto. Confira e tente novamente.

mfa-recovery-code-enrollment__title = Guarde seu código de recuperação
mfa-recovery-code-enrollment__description = Se você perder seu dispositivo, este código permite que você volte a entrar. Guarde-o em um lugar seguro: ele só é mostrado agora e funciona uma única vez.
mfa-recovery-code-enrollment__checkboxText = Guardei este código em um lugar seguro

mfa-webauthn__unavailableTitle = As chaves de segurança não estão disponíveis
mfa-webauthn__unavailableDescription = Não é possível usar chaves de segurança nem autenticadores do dispositivo aqui. Volte para o aplicativo e tente novamente, ou peça ajuda ao administrador dele.
mfa-webauthn__registerButtonText = Registrar
mfa-webauthn__failed = Não funcionou. Tente novamente ou use outro método.

mfa-webauthn-platform-challenge__description = Confirme que é você com a impressão digital, o rosto ou o bloqueio de tela deste dispositivo.

mfa-webauthn-platform-enrollment__description = Registre este dispositivo: a partir de agora, a impressão digital, o rosto ou o bloqueio de tela dele confirma que é você quando você entra.

mfa-webauthn-roaming-challenge__description = Insira ou toque na sua chave de segurança quando o navegador pedir.

mfa-webauthn-roaming-enrollment__description = Registre sua chave de segurança: insira-a ou toque nela quando o navegador pedir.

organization-picker__unknownOrganization = Nenhuma organização tem este nome. Confira com seu administrador.

organization-selection__invalidChoice = Escolha uma das organizações listadas.

passkey-enrollment__unavailableTitle = As chaves de acesso não estão disponíveis
passkey-enrollment__unavailableDescription = Não é possível criar uma chave de acesso aqui agora. Volte para o aplicativo e entre novamente.
passkey-enrollment__failed = Não foi possível criar a chave de acesso. Tente novamente ou continue sem ela.
passkey-enrollment__alreadyRegistered = Esta chave de acesso já está registrada. Tente outra ou continue sem ela.

passwordless-code__wrongCode = Esse código não está correto. Confira e tente novamente.
passwordless-code__tooManyWrongCodes = Códigos incorretos demais: esse código não funciona mais. Peça um novo.
passwordless-code__expiredCode = Esse código expirou. Peça um novo.

passwordless-link__expiredTitle = Este link não funciona mais
passwordless-link__expiredDescription = Os links de acesso funcionam uma única vez, por alguns minutos, no navegador que os pediu. Volte para o aplicativo e peça um novo.
passwordless-link__formNotVerified = Não foi possível verificar o formulário. Abra novamente o link do seu e-mail.

passwordless-start__unavailableTitle = Indisponível
passwordless-start__unavailableDescription = Esta forma de entrar não está habilitada para este aplicativo.
passwordless-start__invalidEmail = Digite um endereço de e-mail válido.
passwordless-start__invalidPhone = Digite um número de telefone com o código do país, como +5511912345678.
passwordless-start__tooManySent = Foram enviados códigos demais; aguarde um pouco e tente novamente.
passwordless-start__sendFailed = Não foi possível enviar o código. Tente novamente daqui a pouco.

reset-password-email__title = Verifique seu e-mail
reset-password-email__description = Se houver uma conta com este endereço, enviamos para ele um link para redefinir a senha. O link funciona uma única vez, por 24 horas.

reset-password-error__eventTitleExpired = Este link expirou
reset-password-error__descriptionExpired = Os links de redefinição de senha funcionam uma única vez, por tempo limitado. Para receber um novo, volte para o aplicativo, escolha “Esqueceu a senha?” na página de login e digite seu endereço de e-mail.

reset-password-request__tooManyTitle = Solicitações demais
reset-password-request__tooManyDescription = Solicitações de redefinição de senha demais a partir do seu endereço de rede. Tente novamente mais tarde.

reset-password-success__title = Senha alterada
reset-password-success__description = Agora você pode entrar com sua nova senha. Para sua segurança, você foi desconectado em todos os lugares: todas as sessões e todos os tokens de atualização da sua conta foram encerrados, e qualquer outro link de redefinição enviado a você não funciona mais.
reset-password-success__buttonText = Continuar

signup__unavailableTitle = O cadastro não está disponível
signup__unavailableDescription = Este aplicativo não aceita novos cadastros. Peça uma conta ao administrador dele.
signup__invalid-username = Os nomes de usuário têm de { $min } a { $max } caracteres: letras, dígitos e _ + - . ! # $ ' ^ ` ~ @.
signup__password-required = Digite uma senha.
signup__invalid-email-format = Digite um endereço de e-mail válido.
signup__invalid-details = Não é possível usar estes dados para se cadastrar. Confira-os e tente novamente.
signup__user-exists = O usuário já existe.
signup__passkeyFailed = Não foi possível criar a chave de acesso. Tente novamente ou cadastre-se com uma senha.
signup__passkeyRegistered = Esta chave de acesso já está registrada.

unblock__expiredTitle = Este link não pode mais desbloquear sua conta
unblock__expiredDescription = Os links de desbloqueio funcionam uma única vez, por tempo limitado. Se sua conta ainda estiver bloqueada, aguarde um pouco e tente novamente, ou redefina sua senha.
unblock__doneTitle = Sua conta está desbloqueada
unblock__doneDescription = Você já pode entrar novamente. Se as tentativas malsucedidas não foram suas, altere sua senha.

error-page__formTooLarge = O formulário é grande demais.
error-page__formUnreadable = Não foi possível ler o formulário.
error-page__formContentType = O formulário deve ser enviado como application/x-www-form-urlencoded.
error-page__formDuplicateField = Um campo do formulário foi enviado mais de uma vez.
consent__openidScope = Saber quem você é
consent__profileScope = Ver seu nome, apelido e foto
consent__emailScope = Ver seu endereço de e-mail
consent__offlineAccessScope = Manter a sessão iniciada na sua conta
