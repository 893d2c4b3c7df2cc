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

# サーバーが表示するもの: メッセージページ、フォームのエラー、ヒント、MFA ページ。

common__backToApplication = { $clientName } に戻る
common__passwordHintLow = { $length } { $length ->
    [one] 文字
   *[other] 文字
}以上にしてください。
common__passwordHintFair = { $length } 文字以上で、小文字、大文字、数字を含めてください。
common__passwordHintGood = { $length } 文字以上で、小文字、大文字、数字、特殊文字のうち 3 種類を含めてください。
common__passwordHintExcellent = { $length } 文字以上で、小文字、大文字、数字、特殊文字のうち 3 種類を含め、同じ文字を 3 回続けないでください。
common__passwordTooWeak = このパスワードは弱すぎます。
common__passwordTooLong = このパスワードは長すぎます。{ $max } バイト以内にしてください。
common__passwordTooCommon = このパスワードはよく使われています。別のパスワードを選んでください。
common__passwordPersonalInfo = このパスワードにはお名前、ユーザー名、またはメールアドレスが含まれています。別のパスワードを選んでください。
common__passwordReused = このパスワードは以前に使用されています。新しいパスワードを選んでください。
common__webauthnUnsupported = このブラウザーではセキュリティキーやパスキーを使用できません。別の方法をお試しください。
common__webauthnNoAnswer = セキュリティキーまたはパスキーから応答がありませんでした。もう一度試すか、別の方法をお試しください。

device-code-activation__usedTitle = このコードはもう使用できません
device-code-activation__usedDescription = 別のブラウザーで使用されたか、有効期限が切れています。デバイスで最初からやり直してください。
device-code-activation__invalidCode = このコードは無効か、有効期限が切れています。デバイスに表示されているコードを確認してください。期限切れの場合は、デバイスで最初からやり直してください。
device-code-activation__tooManyWrongCodes = お使いのネットワークアドレスから誤ったコードが何度も入力されました。数分後にもう一度お試しください。

device-code-activation-allowed__title = デバイスが接続されました
device-code-activation-allowed__description = デバイス上の { $clientName } はサインイン済みです。このページを閉じて、デバイスに戻ってかまいません。

device-code-activation-denied__title = デバイスは接続されませんでした
device-code-activation-denied__cancelledDescription = キャンセルされたため、デバイスは接続されませんでした。
device-code-activation-denied__description = サインインが完了しなかったため、デバイスは接続されませんでした。デバイスで最初からやり直してください。

device-code-confirmation__usedDescription = 有効期限が切れたか、キャンセルされたか、別のブラウザーで確認されました。デバイスで最初からやり直してください。

email-verification-result__verifiedTitle = メールアドレスを確認しました
email-verification-result__verifiedDescription = ありがとうございます。メールアドレスの確認が完了しました。このページを閉じるか、そのまま続行してください。
email-verification-result__errorTitle = このリンクではメールアドレスを確認できなくなりました
email-verification-result__invalidAccountOrCodeDescription = 確認リンクは、送信先のメールアドレスに対してのみ、期限内に 1 回だけ使用できます。新しいリンクを送信するようアプリケーションで依頼してください。
email-verification-result__buttonText = 続行

error-page__logoutTitle = サインアウトできませんでした
error-page__logoutDescription = アプリケーションから無効なサインアウト要求が送信されたため、サインインしたままになっています。アプリケーションに戻ってもう一度お試しください。この問題が続く場合は、以下の技術的な詳細を添えてアプリケーションの担当チームにお知らせください。
error-page__authorizeTitle = サインインできませんでした
error-page__authorizeDescription = アプリケーションから無効なサインイン要求が送信されました。アプリケーションに戻ってもう一度お試しください。この問題が続く場合は、以下の技術的な詳細を添えてアプリケーションの担当チームにお知らせください。
error-page__tooManyFlowsTitle = サインイン要求が多すぎます
error-page__tooManyFlowsDescription = お使いのネットワークアドレスからの未完了のサインイン要求が多すぎます。いずれかを完了するか、数分後にもう一度お試しください。
error-page__invalidFormTitle = 無効なフォーム
error-page__deniedTitle = ここではサインインできません
error-page__userBlocked = このアカウントはブロックされています。
error-page__expiredTitle = このページの有効期限が切れました
error-page__expiredDescription = サインインページは、開いたブラウザーで 10 分間有効です。アプリケーションに戻って、もう一度サインインしてください。
error-page__formNotVerifiedBack = フォームを検証できませんでした。アプリケーションに戻ってもう一度お試しください。
error-page__genericTitle = 問題が発生しました
error-page__formUnreadableBack = フォームを読み取れませんでした。アプリケーションに戻ってもう一度お試しください。
error-page__notCompletedDescription = サインインを完了できませんでした。アプリケーションに戻ってもう一度お試しください。
error-page__formNotVerified = フォームを検証できませんでした。
error-page__methodUnavailableTitle = このサインイン方法は利用できません
error-page__methodNotOffered = このアプリケーションはこのサインイン方法に対応していません。
error-page__upstreamExpiredTitle = このサインインは有効期限が切れました
error-page__upstreamExpiredDescription = サインインプロバイダーからの応答が不明か、すでに使用済みか、または届くのが遅すぎました。アプリケーションに戻って、もう一度サインインしてください。
error-page__connectionNotInOrganization = この接続はこの組織で有効になっていません。
error-page__passkeysUnavailable = ここではパスキーを使用できません。アプリケーションに戻って、もう一度サインインしてください。
error-page__signupDisabled = このアプリケーションは新規のサインアップを受け付けていません。アカウントについては管理者にお問い合わせください。
error-page__accountNotMade = アカウントを作成できませんでした。もう一度お試しください。

login__memberSelfServiceTitle = ダッシュボードでは利用できません
login__noConnectionTitle = サインイン方法がありません
login__noConnectionDescription = このアプリケーションで有効なサインイン方法がありません。管理者がこのアプリケーションの接続を有効にできます。
login__passkeyFailed = このパスキーではサインインできませんでした。もう一度試すか、パスワードを使用してください。
login__user-blocked = 連続して何度もログインが試行されたため、アカウントはブロックされました。後でもう一度試すか、パスワードをリセットしてください。
login__ip-blocked = お使いのネットワークアドレスからのログイン失敗が多すぎるため、しばらくの間、以降の試行は制限されます。後でもう一度お試しください。

logout-complete__title = サインアウトしました
logout-complete__description = このウィンドウを閉じてかまいません。

mfa__unavailableTitle = 第 2 要素を利用できません
mfa__unavailableDescription = このアプリケーションは、お使いのアカウントに設定されていない種類の第 2 要素を求めています。アプリケーションの管理者にお問い合わせください。
mfa__methodUnavailable = この確認方法は利用できません。アプリケーションに戻ってもう一度お試しください。
mfa__enrollTitle = アカウントを保護
mfa__challengeTitle = 本人確認
mfa__verifiedDescription = 確認が完了しました。
mfa__buttonText = 続行
mfa__codeLabel = ワンタイムコード
mfa__rememberBrowserText = このブラウザーを { $days } 日間記憶する
mfa__tooManyWrongCodes = 誤ったコードが多すぎます。15 分待ってからもう一度お試しください。
mfa__wrongCode = コードが正しくありません。確認してもう一度お試しください。

mfa-begin-enroll-options__description = { $clientName } では、ログイン時に追加の確認ステップが必要です。本人確認の方法を選んでください。
mfa-begin-enroll-options__otpText = 認証アプリ
mfa-begin-enroll-options__emailText = メール
mfa-begin-enroll-options__webauthnRoamingText = セキュリティキー
mfa-begin-enroll-options__webauthnPlatformText = このデバイス (指紋、顔、または画面ロック)

mfa-email-challenge__sendFailedTitle = コードを送信できませんでした
mfa-email-challenge__sendFailedDescription = 確認メールを送信できませんでした。数分後にもう一度お試しください。
mfa-email-challenge__description = 6 桁のコードを記載したメールを { $email } に送信しました。コードは 5 分間有効です。
mfa-email-challenge__codeExpired = コードの有効期限が切れました。新しいコードを送信しました。

mfa-login-options__title = 別の方法を試す
mfa-login-options__otpText = 認証アプリを使用
mfa-login-options__emailText = メールでコードを受け取る
mfa-login-options__recoveryCodeText = リカバリーコードを使用
mfa-login-options__webauthnRoamingText = セキュリティキーを使用
mfa-login-options__webauthnPlatformText = このデバイスを使用 (指紋、顔、または画面ロック)
mfa-login-options__passkeyText = パスキーを使用

mfa-otp-challenge__description = 認証アプリに表示されている 6 桁のコードを入力してください。

mfa-otp-enrollment-qr__qrFailed = QR コードを表示できませんでした。もう一度お試しください。
mfa-otp-enrollment-qr__description = 認証アプリ (Google Authenticator、Microsoft Authenticator、1Password…) で QR コードをスキャンし、表示された 6 桁のコードを入力してください。
mfa-otp-enrollment-qr__qrAlt = 認証アプリでスキャンする QR コード
mfa-otp-enrollment-qr__cantScanText = コードをスキャンできませんか？
mfa-otp-enrollment-qr__manualKeyText = 次のキーを使って、アプリにアカウントを追加してください:

mfa-recovery-code-challenge__description = 第 2 要素の設定時に保存したリカバリーコードを入力してください。
mfa-recovery-code-challenge__codeLabel = リカバリーコード
mfa-recovery-code-challenge__wrongCode = リカバリーコードが正しくありません。確認してもう一度お試しください。

mfa-recovery-code-enrollment__title = リカバリーコードを保存
mfa-recovery-code-enrollment__description = デバイスを紛失した場合でも、このコードでアカウントに再びアクセスできます。安全な場所に保管してください。このコードは今回のみ表示され、1 回だけ使用できます。
mfa-recovery-code-enrollment__checkboxText = このコードを安全に記録しました

mfa-webauthn__unavailableTitle = セキュリティキーを利用できません
mfa-webauthn__unavailableDescription = ここではセキュリティキーやデバイスの認証機能を使用できません。アプリケーションに戻ってもう一度試すか、管理者にお問い合わせください。
mfa-webauthn__registerButtonText = 登録
mfa-webauthn__failed = うまくいきませんでした。もう一度試すか、別の方法をお試しください。

mfa-webauthn-platform-challenge__description = このデバイスの指紋、顔、または画面ロックで本人確認を行ってください。

mfa-webauthn-platform-enrollment__description = このデバイスを登録してください。今後ログインする際は、このデバイスの指紋、顔、または画面ロックで本人確認を行います。

mfa-webauthn-roaming-challenge__description = ブラウザーから求められたら、セキュリティキーを挿入するかタップしてください。

mfa-webauthn-roaming-enrollment__description = セキュリティキーを登録してください。ブラウザーから求められたら、セキュリティキーを挿入するかタップしてください。

organization-picker__unknownOrganization = この名前の組織はありません。管理者に確認してください。

organization-selection__invalidChoice = 一覧にある組織から 1 つ選んでください。

passkey-enrollment__unavailableTitle = パスキーを利用できません
passkey-enrollment__unavailableDescription = 現在、ここではパスキーを作成できません。アプリケーションに戻って、もう一度サインインしてください。
passkey-enrollment__failed = パスキーを作成できませんでした。もう一度試すか、パスキーなしで続行してください。
passkey-enrollment__alreadyRegistered = このパスキーはすでに登録されています。別のパスキーを試すか、パスキーなしで続行してください。

passwordless-code__wrongCode = コードが正しくありません。確認してもう一度お試しください。
passwordless-code__tooManyWrongCodes = 誤ったコードが多すぎるため、このコードは使用できなくなりました。新しいコードを請求してください。
passwordless-code__expiredCode = コードの有効期限が切れました。新しいコードを請求してください。

passwordless-link__expiredTitle = このリンクはもう使用できません
passwordless-link__expiredDescription = サインインリンクは、リクエストしたブラウザーで数分間、1 回だけ使用できます。アプリケーションに戻って、新しいリンクを請求してください。
passwordless-link__formNotVerified = フォームを検証できませんでした。メールのリンクをもう一度開いてください。

passwordless-start__unavailableTitle = 利用できません
passwordless-start__unavailableDescription = このアプリケーションでは、このサインイン方法は有効になっていません。
passwordless-start__invalidEmail = 有効なメールアドレスを入力してください。
passwordless-start__invalidPhone = +14155550100 のように、国番号を含めた電話番号を入力してください。
passwordless-start__tooManySent = 送信されたコードが多すぎます。しばらく待ってからもう一度お試しください。
passwordless-start__sendFailed = コードを送信できませんでした。少し待ってからもう一度お試しください。

reset-password-email__title = メールを確認してください
reset-password-email__description = このメールアドレスのアカウントが存在する場合は、パスワードをリセットするためのリンクを送信しました。リンクは 24 時間以内に 1 回だけ使用できます。

reset-password-error__eventTitleExpired = このリンクの有効期限が切れました
reset-password-error__descriptionExpired = パスワードのリセット用リンクは、期限内に 1 回だけ使用できます。新しいリンクを受け取るには、アプリケーションに戻り、ログインページで「パスワードをお忘れですか？」を選んでメールアドレスを入力してください。

reset-password-request__tooManyTitle = リクエストが多すぎます
reset-password-request__tooManyDescription = お使いのネットワークアドレスからのパスワードリセットのリクエストが多すぎます。後でもう一度お試しください。

reset-password-success__title = パスワードを変更しました
reset-password-success__description = 新しいパスワードでログインできるようになりました。安全のため、すべての場所からサインアウトされました。アカウントのすべてのセッションとすべてのリフレッシュトークンが終了し、これまでに送信された他のリセットリンクも使用できなくなりました。
reset-password-success__buttonText = 続行

signup__unavailableTitle = サインアップは利用できません
signup__unavailableDescription = このアプリケーションは新規のサインアップを受け付けていません。アカウントについては管理者にお問い合わせください。
signup__invalid-username = ユーザー名は { $min } から { $max } 文字で、英字、数字、および _ + - . ! # $ ' ^ ` ~ @ を使用できます。
signup__password-required = パスワードを入力してください。
signup__invalid-email-format = 有効なメールアドレスを入力してください。
signup__invalid-details = この情報ではサインアップできません。確認してもう一度お試しください。
signup__user-exists = このユーザーはすでに存在します。
signup__passkeyFailed = パスキーを作成できませんでした。もう一度試すか、パスワードでサインアップしてください。
signup__passkeyRegistered = このパスキーはすでに登録されています。

unblock__expiredTitle = このリンクではアカウントのブロックを解除できなくなりました
unblock__expiredDescription = ブロック解除リンクは、期限内に 1 回だけ使用できます。アカウントがまだブロックされている場合は、少し待ってからもう一度試すか、パスワードをリセットしてください。
unblock__doneTitle = アカウントのブロックが解除されました
unblock__doneDescription = 再度サインインできます。失敗した試行がご自身によるものでない場合は、パスワードを変更してください。

error-page__formTooLarge = フォームが大きすぎます。
error-page__formUnreadable = フォームを読み取れませんでした。
error-page__formContentType = フォームは application/x-www-form-urlencoded で送信する必要があります。
error-page__formDuplicateField = 同じフォーム項目が複数回送信されました。
consent__openidScope = あなたが誰であるかを確認する
consent__profileScope = 名前、ニックネーム、プロフィール画像を表示する
consent__emailScope = メールアドレスを表示する
consent__offlineAccessScope = アカウントへのサインイン状態を維持する
