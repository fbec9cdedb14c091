{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>Verify your identity</h1>
{{#ERROR}}<p class="error" id="error">{{MESSAGE}}</p>{{/ERROR}}
{{#SENT}}<p class="notice" id="sent">We texted a code to {{SMS_TO}}. It works once, for {{MINUTES}} minutes.</p>{{/SENT}}
{{#NEXT}}<p class="notice">Confirm it is you to go on to this page.</p>{{/NEXT}}
{{#SEND_FIRST}}<p>First get a code by text, then type it below.</p>
<form method="post" action="/login/mfa/sms">
<input type="hidden" name="csrf" value="{{CSRF}}">
{{#NEXT}}<input type="hidden" name="next" value="{{NEXT_PATH}}">{{/NEXT}}
<p><button type="submit" id="send-sms">{{SEND_LABEL}}</button> A new code goes to {{SMS_TO}}; it replaces any code sent before.</p>
</form>{{/SEND_FIRST}}
<form method="post" action="/login/mfa">
<input type="hidden" name="csrf" value="{{CSRF}}">
{{#NEXT}}<input type="hidden" name="next" value="{{NEXT_PATH}}">{{/NEXT}}
{{#METHODS}}<p>{{#TOTP}}<input type="radio" id="m-totp" name="method" value="totp"{{#CHECK_TOTP}} checked{{/CHECK_TOTP}}>
<label for="m-totp">Code from my authenticator app</label><br>
<input type="radio" id="m-recovery" name="method" value="recovery"{{#CHECK_RECOVERY}} checked{{/CHECK_RECOVERY}}>
<label for="m-recovery">One of my recovery codes</label>{{/TOTP}}{{#SMS}}{{#TOTP}}<br>{{/TOTP}}
<input type="radio" id="m-sms" name="method" value="sms"{{#CHECK_SMS}} checked{{/CHECK_SMS}}>
<label for="m-sms">Code texted to my phone ({{SMS_TO}})</label>{{/SMS}}</p>{{/METHODS}}
<p><label for="code">Code</label><br>
<input type="text" id="code" name="code" size="20" maxlength="32" autocomplete="one-time-code"{{#DIGITS}} inputmode="numeric"{{/DIGITS}}{{#FOCUS_CODE}} autofocus{{/FOCUS_CODE}}></p>
<p><button type="submit">Verify</button></p>
</form>
{{#SEND_AFTER}}<form method="post" action="/login/mfa/sms">
<input type="hidden" name="csrf" value="{{CSRF}}">
{{#NEXT}}<input type="hidden" name="next" value="{{NEXT_PATH}}">{{/NEXT}}
<p><button type="submit" id="send-sms">{{SEND_LABEL}}</button> A new code goes to {{SMS_TO}}; it replaces any code sent before.</p>
</form>{{/SEND_AFTER}}
{{>FOOTER}}
