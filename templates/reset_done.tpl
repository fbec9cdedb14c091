{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>Password reset</h1>
{{#SHOWN}}<p>The temporary password for <b>{{NAME}}</b> is:</p>
<p class="secret"><code id="temp-password">{{TEMP}}</code></p>
<p class="notice">Give it to {{NAME}} now: this page shows it only once. It works for {{TTL}} hours, and they must choose a new password when they sign in with it.</p>{{/SHOWN}}
{{#SMS}}<p class="notice" id="sent">A temporary password was sent to {{NAME}} by text message, to {{MOBILE}}. It works for {{TTL}} hours.</p>{{/SMS}}
{{#SMS_FAILED}}<p class="error" id="sms-failed">The password was reset, but the text message to {{MOBILE}} could not be sent. It waits in the outbox, and is sent when your admin retries it after checking text messaging; or reset the password again to make a new one (the waiting message is then dropped).</p>{{/SMS_FAILED}}
{{#TYPED}}<p class="notice" id="typed">{{NAME}}'s password was set. They must change it when they next sign in.</p>{{/TYPED}}
{{#GONE}}<p>No reset result is waiting here: a result is shown once, right after the reset. If a temporary password was lost, reset the password again.</p>{{/GONE}}
<p><a href="/users/{{ID}}">Back to {{NAME}}</a></p>
{{>FOOTER}}
