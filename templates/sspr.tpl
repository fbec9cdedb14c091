{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>Reset your password</h1>
{{#ERROR}}<p class="error" id="error">{{MESSAGE}}</p>{{/ERROR}}
{{#USERNAME}}<form method="post" action="/reset">
<input type="hidden" name="csrf" value="{{CSRF}}">
<p><label for="username">Username (name@example.com)</label><br>
<input type="text" id="username" name="username" value="{{USERNAME_TYPED}}" size="40" maxlength="255" autocomplete="username" autofocus></p>
<p><button type="submit" id="next">Next</button></p>
</form>{{/USERNAME}}
{{#NEUTRAL}}<p class="notice" id="neutral">We cannot text a code for this username. It may be mistyped, have no mobile number on file, or belong to an account whose password only an administrator can reset. Ask your manager to reset your password.</p>
<p><a href="/reset">Try another username</a></p>{{/NEUTRAL}}
{{#PICK}}<form method="post" action="/reset/send">
<input type="hidden" name="csrf" value="{{CSRF}}">
<fieldset><legend>Where should we text a code?</legend>
{{#NUMBER}}<p><input type="radio" id="type-{{TYPE}}" name="type" value="{{TYPE}}"{{#FIRST}} checked{{/FIRST}}> <label for="type-{{TYPE}}">{{KIND}}: {{MASKED}}</label></p>
{{/NUMBER}}</fieldset>
<p><button type="submit" id="send-code">Text me a code</button></p>
</form>{{/PICK}}
{{#CODE}}{{#SENT}}<p class="notice" id="sent">A code was texted to {{MASKED}}. It works once, for {{MINUTES}} minutes.</p>{{/SENT}}
<form method="post" action="/reset/code">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="type" value="{{TYPE}}">
<p><label for="code">Code from the text to {{MASKED}}</label><br>
<input type="text" id="code" name="code" size="10" maxlength="32" autocomplete="one-time-code" inputmode="numeric" autofocus></p>
<p><button type="submit">Next</button></p>
</form>
<form method="post" action="/reset/send">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="type" value="{{TYPE}}">
<p>No text, or the code stopped working? <button type="submit" id="resend">Text me a new code</button></p>
</form>{{/CODE}}
{{#TOTP}}<p class="notice" id="second">The texted code was right. As you hold a role, enter the code from your authenticator app too.</p>
<form method="post" action="/reset/totp">
<input type="hidden" name="csrf" value="{{CSRF}}">
<p><label for="code">Authenticator app code</label><br>
<input type="text" id="code" name="code" size="10" maxlength="32" autocomplete="one-time-code" inputmode="numeric" autofocus></p>
<p><button type="submit">Next</button></p>
</form>{{/TOTP}}
{{#PASSWORD}}<form method="post" action="/reset/password">
<input type="hidden" name="csrf" value="{{CSRF}}">
<p><label for="new_password">New password</label><br>
<input type="password" id="new_password" name="new_password" size="40" maxlength="1024" autocomplete="new-password"></p>
<p><label for="confirm_password">New password again</label><br>
<input type="password" id="confirm_password" name="confirm_password" size="40" maxlength="1024" autocomplete="new-password"></p>
<p class="hint">{{HINT}}</p>
<p><button type="submit" id="set-password">Set password</button></p>
</form>{{/PASSWORD}}
{{#DONE}}<p class="notice" id="done">Your password was changed. You were signed out everywhere, and we texted your mobile to let you know.</p>
<p><a href="/login">Sign in</a></p>{{/DONE}}
{{#BACK}}<p><a href="/login">Back to sign in</a></p>{{/BACK}}
{{>FOOTER}}
