{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>{{TITLE}}</h1>
{{#RECOVERY}}
<p class="notice">Your authenticator app is set up. Keep these recovery codes somewhere safe: each signs you in once if you lose your phone. They are shown only now.</p>
<ul id="recovery-codes" class="codes">
{{#CODE}}<li><code>{{CODE_TEXT}}</code></li>
{{/CODE}}
</ul>
<p><a href="{{CONTINUE}}">Continue</a></p>
{{/RECOVERY}}
{{#ENROLLED}}
<p>An authenticator app is set up for your account. You are asked for its code when you sign in.</p>
<p><a href="/account">Back to my account</a></p>
{{/ENROLLED}}
{{#FORM}}
{{#REQUIRED}}<p class="notice">Your account needs a second sign-in step. Set up an authenticator app to go on.</p>{{/REQUIRED}}
{{#NO_PHONE}}<p class="notice" id="no-phone">There is no mobile number on your account to text you a code. Set up an authenticator app below, or ask your admin to add your mobile number.</p>{{/NO_PHONE}}
{{#ERROR}}<p class="error" id="error">{{MESSAGE}}</p>{{/ERROR}}
<ol>
<li>Open an authenticator app (for example Microsoft Authenticator, Google Authenticator or FreeOTP) and add an account.</li>
<li>Scan this code, or type the key below.
{{#QR}}<div class="qr"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {{QR_SIZE}} {{QR_SIZE}}" width="200" height="200" role="img" aria-label="QR code of the key"><rect width="{{QR_SIZE}}" height="{{QR_SIZE}}" fill="#fff"/><path fill="#000" d="{{QR_PATH}}"/></svg></div>{{/QR}}
<p><a href="{{OTPAUTH_URL:x-otpauth-url}}" id="otpauth">Open in my authenticator app</a> <span class="hint">(when this page is on the phone with the app)</span></p>
<p>Key, to type: <code id="totp-grouped">{{SECRET_GROUPED}}</code><br>
to copy: <code id="totp-secret">{{SECRET}}</code></p></li>
<li>Enter the 6-digit code the app shows.</li>
</ol>
<form method="post" action="/account/mfa">
<input type="hidden" name="csrf" value="{{CSRF}}">
{{#NEXT}}<input type="hidden" name="next" value="{{NEXT_PATH}}">{{/NEXT}}
<p><label for="code">Code</label><br>
<input type="text" id="code" name="code" size="10" maxlength="32" autocomplete="one-time-code" inputmode="numeric"></p>
<p><button type="submit">Confirm</button></p>
</form>
{{/FORM}}
{{>FOOTER}}
