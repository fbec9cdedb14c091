{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>Phone numbers</h1>
{{#SUMMARY}}<p class="error" role="alert" id="summary">Not saved. <a href="#number-{{SUMMARY_TYPE_ID}}">{{SUMMARY_FIELD}}</a>: {{SUMMARY_MESSAGE}}</p>{{/SUMMARY}}
<p>For <b>{{NAME}}</b>. <a href="/users/{{ID}}">Back to the profile</a></p>
<p class="hint">{{#LOCAL}}Type a {{COUNTRY}} number as it is dialled there, or any number with + and its country code.{{/LOCAL}}{{#INTL}}Numbers start with + and the country code, for example +1 425 555 0100.{{/INTL}} Spaces, dots, dashes and brackets are fine.</p>
{{#TYPE}}
<form method="post" action="/users/{{ID}}/phone" class="phone" id="phone-{{TYPE_ID}}">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="type" value="{{TYPE_ID}}">
<input type="hidden" name="was" value="{{WAS}}">
<h2><label for="number-{{TYPE_ID}}">{{TYPE_NAME}}</label></h2>
{{#ERROR}}<p class="error" id="number-{{TYPE_ID}}-error">{{MESSAGE}}</p>{{/ERROR}}
<p><input type="tel" id="number-{{TYPE_ID}}" name="number" value="{{NUMBER}}" size="28" maxlength="64" autocomplete="off"{{#ERROR}} aria-invalid="true" aria-describedby="number-{{TYPE_ID}}-error" class="invalid"{{/ERROR}}>{{#EXT_HINT}} <span class="hint">(an extension may follow: x123)</span>{{/EXT_HINT}}</p>
<p><button type="submit" name="action" value="save">Save</button>{{#CAN_REMOVE}} <button type="submit" name="action" value="remove">Remove</button>{{/CAN_REMOVE}}</p>
</form>
{{/TYPE}}
{{>FOOTER}}
