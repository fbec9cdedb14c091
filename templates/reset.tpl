{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>Reset password</h1>
<p>For <b>{{NAME}}</b> ({{UPN}}). <a href="/users/{{ID}}">Back to the profile</a></p>
{{#ERRORS}}<div class="error" id="error">{{#ERROR}}<p>{{MESSAGE}}</p>
{{/ERROR}}</div>{{/ERRORS}}
{{#DISABLED}}<p class="error" id="disabled">{{NAME}}'s account is disabled: no password signs in to it until an administrator enables it, so a reset would not get them back in.</p>{{/DISABLED}}
{{#FORM}}<form method="post" action="/users/{{ID}}/reset-password">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="version" value="{{VERSION}}">
{{#CLOUD_SHOW}}<p>A new temporary password will be made and shown to you once, on the next page. Give it to {{NAME}}: it works for {{TTL}} hours, and they must choose their own password when they sign in with it. Their current password stops working and they are signed out everywhere.</p>{{/CLOUD_SHOW}}
{{#CLOUD_SMS}}<p>A new temporary password will be sent by text message to {{NAME}}'s mobile number {{MOBILE}}. It works for {{TTL}} hours, and they must choose their own password when they sign in with it. Their current password stops working and they are signed out everywhere.</p>
{{#NO_MOBILE}}<p class="error">{{NAME}} has no mobile number: add one first.</p>{{/NO_MOBILE}}{{/CLOUD_SMS}}
{{#ONPREM}}<p>{{NAME}}'s account comes from the on-premises directory. Type a new password for them; it must meet the on-premises policy:</p>
<ul class="hint"><li>at least {{MIN_LENGTH}} characters</li>{{#COMPLEXITY}}<li>three of: capital letters, small letters, digits, other characters</li>{{/COMPLEXITY}}{{#NO_ACCOUNT_NAME}}<li>not their username or a part of their name</li>{{/NO_ACCOUNT_NAME}}</ul>
<p><label for="new_password">New password</label><br>
<input type="password" id="new_password" name="new_password" size="40" maxlength="1024" autocomplete="new-password"></p>
<p><label for="confirm_password">New password again</label><br>
<input type="password" id="confirm_password" name="confirm_password" size="40" maxlength="1024" autocomplete="new-password"></p>
<p>They must change it when they next sign in, and they are signed out everywhere.</p>{{/ONPREM}}
<p><button type="submit" id="confirm-reset">Reset password</button> <a href="/users/{{ID}}">Cancel</a></p>
</form>{{/FORM}}
{{>FOOTER}}
