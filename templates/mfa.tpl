{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>Verify your identity</h1>
{{#ERROR}}<p class="error" id="error">{{MESSAGE}}</p>{{/ERROR}}
{{#NEXT}}<p class="notice">Confirm it is you to go on to this page.</p>{{/NEXT}}
<form method="post" action="/login/mfa">
<input type="hidden" name="csrf" value="{{CSRF}}">
{{#NEXT}}<input type="hidden" name="next" value="{{NEXT_PATH}}">{{/NEXT}}
<p><input type="radio" id="m-totp" name="method" value="totp" checked>
<label for="m-totp">Code from my authenticator app</label><br>
<input type="radio" id="m-recovery" name="method" value="recovery">
<label for="m-recovery">One of my recovery codes</label></p>
<p><label for="code">Code</label><br>
<input type="text" id="code" name="code" size="20" maxlength="32" autocomplete="one-time-code" inputmode="numeric" autofocus></p>
<p><button type="submit">Verify</button></p>
</form>
{{>FOOTER}}
