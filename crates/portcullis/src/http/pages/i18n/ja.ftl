# 日本語。

common__footerText = Portcullis により保護されています
common__showPasswordText = パスワードを表示
common__separatorText = または
common__technicalDetails = 技術的な詳細

login__pageTitle = ログイン
login__title = ようこそ
login__description = { $clientName } に進むにはログインしてください。
login__emailPlaceholder = メールアドレス
login__usernamePlaceholder = ユーザー名またはメールアドレス
login__passwordPlaceholder = パスワード
login__buttonText = 続行
login__federatedConnectionButtonText = { $connectionName } で続行
login__passkeyButtonText = パスキーで続行
login__forgotPasswordText = パスワードをお忘れですか？
login__signupActionText = アカウントをお持ちでないですか？
login__signupActionLinkText = サインアップ
login__memberNote = ダッシュボードのメンバーの追加とパスワードのリセットは管理者が行います。
login__wrong-credentials = メールアドレスまたはパスワードが正しくありません。
login__no-credentials = メールアドレスとパスワードを入力してください。

login-id__pageTitle = ログイン
login-id__title = ようこそ
login-id__description = { $clientName } に進むにはログインしてください。
login-id__emailPlaceholder = メールアドレス
login-id__usernamePlaceholder = ユーザー名またはメールアドレス
login-id__buttonText = 続行
login-id__signupActionText = アカウントをお持ちでないですか？
login-id__signupActionLinkText = サインアップ
login-id__no-email = メールアドレスを入力してください。

login-password__pageTitle = パスワードを入力
login-password__title = パスワードを入力
login-password__description = { $clientName } に進むにはパスワードを入力してください。
login-password__passwordPlaceholder = パスワード
login-password__buttonText = 続行
login-password__forgotPasswordText = パスワードをお忘れですか？
login-password__editEmailText = 編集
login-password__wrong-credentials = メールアドレスまたはパスワードが正しくありません。

signup__pageTitle = サインアップ
signup__title = アカウントを作成
signup__description = { $clientName } に進むにはサインアップしてください。
signup__emailPlaceholder = メールアドレス
signup__usernamePlaceholder = ユーザー名
signup__passwordPlaceholder = パスワード
signup__passwordHint = 8 文字以上で、小文字、大文字、数字を含めてください。
signup__buttonText = 続行
signup__passkeyButtonText = パスキーでサインアップ
signup__passkeyHint = パスワードは不要です。このデバイスの指紋、顔、または画面ロックでサインインします。
signup__loginActionText = すでにアカウントをお持ちですか？
signup__loginActionLinkText = ログイン

consent__pageTitle = 承認
consent__title = { $clientName } を承認
consent__description = { $userName } さん、{ $clientName } が次のことを求めています:
consent__onApi = ({ $api })
consent__acceptButtonText = 承認する
consent__declineButtonText = 拒否する

reset-password-request__pageTitle = パスワードのリセット
reset-password-request__title = パスワードをお忘れですか？
reset-password-request__description = メールアドレスを入力すると、リセット用のリンクをお送りします。
reset-password-request__emailPlaceholder = メールアドレス
reset-password-request__buttonText = リンクを送信
reset-password-request__backToLoginLinkText = ログインに戻る

reset-password__pageTitle = パスワードの変更
reset-password__title = パスワードの変更
reset-password__description = 新しいパスワードを選んでください。
reset-password__passwordPlaceholder = 新しいパスワード
reset-password__buttonText = パスワードをリセット

common__continueTitle = サインインしています
common__continueDescription = アプリケーションに戻っています。
common__continueButtonText = 続行

device-code-activation__title = デバイスを有効化
device-code-activation__description = デバイスに表示されているコードを入力してください。
device-code-activation__codeLabel = コード
device-code-activation__codeHint = BDWP-HQPK のような 8 文字です。
device-code-activation__buttonText = 続行

device-code-confirmation__title = デバイスを確認
device-code-confirmation__description = デバイス上の { $clientName } があなたとしてサインインしようとしています。デバイスにこのコードが表示されている場合にのみ続行してください:
device-code-confirmation__cancelButtonText = キャンセル
device-code-confirmation__confirmButtonText = 確認

organization-picker__title = 組織を入力
organization-picker__description = { $clientName } は組織を通じてサインインします。
organization-picker__organizationLabel = 組織名
organization-picker__buttonText = 続行

organization-selection__title = 組織を選択
organization-selection__description = どの組織で { $clientName } を使用しますか？

passkey-enrollment__title = パスキーを作成
passkey-enrollment__signupDescription = { $clientName } のアカウント ({ $email }) にはパスワードがありません。このデバイスの指紋、顔、または画面ロックでサインインします。パスキーは推測もフィッシングもできません。
passkey-enrollment__description = 次回からは、パスワードの代わりにこのデバイスの指紋、顔、または画面ロックで { $clientName } にサインインできます。パスキーは推測もフィッシングもできません。
passkey-enrollment__buttonText = パスキーを作成
passkey-enrollment__passwordInsteadText = 代わりにパスワードでサインアップ
passkey-enrollment__skipButtonText = 後で

unblock__title = アカウントのブロックを解除
unblock__description = サインインの失敗が続いたため、アカウント { $email } はブロックされました。ご自身による試行であれば、ブロックを解除して再度サインインしてください。
unblock__buttonText = アカウントのブロックを解除
unblock__notYoursText = ご自身による試行でない場合、誰かがパスワードを推測しようとしている可能性があります。パスワードを変更してください。

passwordless-code__title = コードを入力
passwordless-code__description = { $recipient } にコードを送信しました。{ $clientName } に進むには入力してください。
passwordless-code__codeLabel = コード
passwordless-code__buttonText = 続行
passwordless-code__resendText = 新しいコードを送信

passwordless-link__confirmTitle = { $recipient } として続行しますか？
passwordless-link__confirmDescription = このサインインリンクは { $clientName } の { $recipient } 用です。ご自身で依頼した場合にのみ続行してください。
passwordless-link__confirmButtonText = 続行
passwordless-link__sentTitle = メールを確認してください
passwordless-link__sentDescription = { $recipient } にサインインリンクを送信しました。{ $clientName } に進むには、このブラウザーで開いてください。
passwordless-link__resendText = 新しいリンクを送信

passwordless-start__emailTitle = メールでサインイン
passwordless-start__smsTitle = 電話でサインイン
passwordless-start__emailDescription = { $clientName } に進むためのコードまたはリンクをメールでお送りします。
passwordless-start__smsDescription = { $clientName } に進むためのコードを SMS でお送りします。
passwordless-start__emailLabel = メールアドレス
passwordless-start__phoneLabel = 電話番号
passwordless-start__phoneHint = +81312345678 のように国番号を含めてください。
passwordless-start__emailCodeButtonText = コードをメールで受け取る
passwordless-start__smsCodeButtonText = コードを SMS で受け取る
passwordless-start__emailLinkButtonText = リンクをメールで受け取る
passwordless-start__otherMethodsText = 他のサインイン方法
