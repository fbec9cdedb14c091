{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>{{TITLE}}</h1>
<p class="error" id="error">{{MESSAGE}}</p>
<p>{{#SIGNIN_LINK}}<a href="/login">Sign in</a> &middot; {{/SIGNIN_LINK}}<a href="/">Home</a></p>
{{>FOOTER}}
