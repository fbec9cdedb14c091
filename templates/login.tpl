{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>Sign in</h1>
{{#ERROR}}<p class="error" id="error">{{MESSAGE}}</p>{{/ERROR}}
<form method="post" action="/login">
<input type="hidden" name="csrf" value="{{CSRF}}">
{{#NEXT}}<input type="hidden" name="next" value="{{NEXT_PATH}}">{{/NEXT}}
<p><label for="username">Username (e.g. name@example.com)</label><br>
<input type="text" id="username" name="username" value="{{USERNAME}}" size="40" maxlength="255" autocomplete="username" autofocus></p>
<p><label for="password">Password</label><br>
<input type="password" id="password" name="password" size="40" maxlength="1024" autocomplete="current-password"></p>
<p><button type="submit">Sign in</button></p>
</form>
{{#SMS_SIGNIN}}<p><a href="/login/sms" id="sms-signin">Sign in with a code by text</a></p>{{/SMS_SIGNIN}}
{{#SSPR}}<p><a href="/reset" id="sspr">Forgot password?</a> Reset it with a code texted to your mobile.</p>{{/SSPR}}
{{#NO_SSPR}}<p>Forgot your password? Ask your manager to reset it.</p>{{/NO_SSPR}}
{{>FOOTER}}
