{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>My account</h1>
{{#NOTICE}}<p class="notice" role="status" id="notice">{{NOTICE_MSG}}</p>{{/NOTICE}}
<table class="facts">
<tr><th scope="row">Name</th><td id="name">{{NAME}}</td></tr>
<tr><th scope="row">Username</th><td id="upn">{{UPN}}</td></tr>
<tr><th scope="row">Email</th><td>{{EMAIL}}</td></tr>
<tr><th scope="row">Job title</th><td>{{JOB_TITLE}}</td></tr>
<tr><th scope="row">Account</th><td>{{SOURCE}}</td></tr>
<tr><th scope="row">Last sign-in</th><td id="last-signin">{{LAST_SIGNIN}}</td></tr>
<tr><th scope="row">Locations</th><td>{{#UNIT}}{{UNIT_NAME}}<br>{{/UNIT}}{{#NO_UNIT}}none{{/NO_UNIT}}</td></tr>
<tr><th scope="row">Phone numbers</th><td>{{#PHONE}}{{TYPE}}: {{NUMBER}}<br>{{/PHONE}}{{#NO_PHONE}}none{{/NO_PHONE}}</td></tr>
{{#ROLE}}<tr><th scope="row">Role</th><td>{{ROLE_NAME}} — {{SCOPE}}</td></tr>{{/ROLE}}
</table>

<h2>Sign-in methods</h2>
<ul>
<li>Password &middot; <a href="/account/password">Change password</a></li>
{{#TOTP_ON}}<li>Authenticator app: set up &middot; {{RECOVERY_LEFT}} recovery codes left</li>{{/TOTP_ON}}
{{#TOTP_OFF}}<li>Authenticator app: not set up &middot; <a href="/account/mfa">Set up</a></li>{{/TOTP_OFF}}
</ul>

<h2>Where you are signed in</h2>
<div class="scroll"><table class="list cards" id="sessions">
<tr><th scope="col">Signed in</th><th scope="col">Last active</th><th scope="col">Address</th><th scope="col">Browser</th></tr>
{{#SESSION}}<tr><td data-label="Signed in">{{STARTED}}{{#CURRENT}} <b>(this browser)</b>{{/CURRENT}}</td><td data-label="Last active">{{SEEN}}</td><td data-label="Address">{{IP}}</td><td data-label="Browser">{{AGENT}}</td></tr>
{{/SESSION}}
</table></div>
{{#HALF_SIGNED_IN}}<h3>Password entered, second step not passed</h3>
<p class="hint">Someone entered your password here but did not pass the second step. If this was not you, change your password.</p>
<div class="scroll"><table class="list cards" id="half-sessions">
<tr><th scope="col">Started</th><th scope="col">Last active</th><th scope="col">Address</th><th scope="col">Browser</th></tr>
{{#HALF}}<tr><td data-label="Started">{{STARTED}}</td><td data-label="Last active">{{SEEN}}</td><td data-label="Address">{{IP}}</td><td data-label="Browser">{{AGENT}}</td></tr>
{{/HALF}}</table></div>{{/HALF_SIGNED_IN}}
{{#OTHER_SESSIONS}}
<form method="post" action="/account/sessions/revoke">
<input type="hidden" name="csrf" value="{{CSRF}}">
<p><button type="submit">Sign out everywhere else</button></p>
</form>
{{/OTHER_SESSIONS}}
{{>FOOTER}}
