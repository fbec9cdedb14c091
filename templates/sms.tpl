{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>Sign in with a code by text</h1>
{{#ERROR}}<p class="error" id="error">{{MESSAGE}}</p>{{/ERROR}}
{{#STEP1}}<form method="post" action="/login/sms">
<input type="hidden" name="csrf" value="{{CSRF}}">
<p><label for="phone">Your mobile number{{#WITH_CODE}}, with its country code (e.g. +1 425 555 0100){{/WITH_CODE}}</label><br>
<input type="tel" id="phone" name="phone" value="{{PHONE_TYPED}}" size="24" maxlength="64" autocomplete="tel" autofocus></p>
<p><button type="submit" id="send-code">Text me a code</button></p>
</form>{{/STEP1}}
{{#STEP2}}{{#SENT}}<p class="notice" id="sent">If this number ({{PHONE}}) is registered for sign-in by text, a code was sent to it. It works once, for {{MINUTES}} minutes.</p>{{/SENT}}
<form method="post" action="/login/sms">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="phone" value="{{PHONE}}">
<p><label for="code">Code</label><br>
<input type="text" id="code" name="code" size="10" maxlength="32" autocomplete="one-time-code" inputmode="numeric" autofocus></p>
<p><button type="submit">Sign in</button></p>
</form>
<form method="post" action="/login/sms">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="phone" value="{{PHONE}}">
<p><button type="submit" id="resend">Text me a new code</button> (one text a minute to a number)</p>
</form>
<p class="hint" id="no-text">No text? This number may not be set up for sign-in by text, or the account may be locked after wrong tries: sign in with your password, or ask your manager.</p>
<p><a href="/login/sms">Use another number</a></p>{{/STEP2}}
<p><a href="/login">Sign in with a password instead</a></p>
{{>FOOTER}}
