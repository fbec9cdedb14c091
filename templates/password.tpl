{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>Change your password</h1>
{{#MUST_CHANGE}}<p class="notice">Your password was reset. Choose a new password before you go on.</p>{{/MUST_CHANGE}}
{{#ERROR}}<p class="error" id="error">{{MESSAGE}}</p>{{/ERROR}}
<form method="post" action="/account/password">
<input type="hidden" name="csrf" value="{{CSRF}}">
{{#NEXT}}<input type="hidden" name="next" value="{{NEXT_PATH}}">{{/NEXT}}
{{#ASK_CURRENT}}<p><label for="current_password">Current password</label><br>
<input type="password" id="current_password" name="current_password" size="40" maxlength="1024" autocomplete="current-password"></p>{{/ASK_CURRENT}}
<p><label for="new_password">New password</label><br>
<input type="password" id="new_password" name="new_password" size="40" maxlength="1024" autocomplete="new-password"></p>
<p><label for="confirm_password">New password again</label><br>
<input type="password" id="confirm_password" name="confirm_password" size="40" maxlength="1024" autocomplete="new-password"></p>
<p class="hint">{{HINT}}</p>
<p><button type="submit">Change password</button></p>
</form>
{{>FOOTER}}
