{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>{{TITLE}}</h1>
<p class="error" id="error">{{MESSAGE}}</p>
<p>{{#BACK}}<a href="{{BACK_URL}}" id="back">Back to the form</a> &middot; {{/BACK}}{{#SIGNIN_LINK}}<a href="/login">Sign in</a> &middot; {{/SIGNIN_LINK}}<a href="/">Home</a></p>
{{>FOOTER}}
