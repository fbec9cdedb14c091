{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>{{TITLE}}</h1>
<table class="facts" id="entry">
<tr><th scope="row">Number</th><td id="entry-id">{{ID}}</td></tr>
<tr><th scope="row">When (UTC)</th><td id="entry-at"><time datetime="{{AT_ISO}}">{{AT}}</time></td></tr>
<tr><th scope="row">Who</th><td id="entry-actor_upn">{{ACTOR_UPN}}</td></tr>
<tr><th scope="row">Who (id)</th><td id="entry-actor_id">{{ACTOR_ID}}</td></tr>
<tr><th scope="row">Action</th><td id="entry-action">{{ACTION}}</td></tr>
<tr><th scope="row">Whom</th><td id="entry-target_name">{{TARGET_NAME}}</td></tr>
<tr><th scope="row">Whom (id)</th><td id="entry-target_id">{{TARGET_ID}}</td></tr>
<tr><th scope="row">Result</th><td id="entry-result">{{RESULT}}</td></tr>
<tr><th scope="row">Reason</th><td id="entry-reason">{{REASON}}</td></tr>
<tr><th scope="row">From</th><td id="entry-client">{{CLIENT}}</td></tr>
<tr><th scope="row">Address</th><td id="entry-ip">{{IP}}</td></tr>
<tr><th scope="row">User agent</th><td id="entry-user_agent">{{USER_AGENT}}</td></tr>
{{#REQUEST}}<tr><th scope="row">Request ID</th><td id="entry-request_id">{{REQUEST_ID}}</td></tr>{{/REQUEST}}
<tr><th scope="row">Details</th><td id="entry-details" class="details">{{#DETAILS_LIST}}<dl class="kv">{{#DETAIL}}<dt>{{LABEL}}:</dt> <dd>{{VALUE}}</dd> {{/DETAIL}}</dl>{{/DETAILS_LIST}}{{#RAW_DETAILS}}<code>{{DETAILS_TEXT}}</code>{{/RAW_DETAILS}}</td></tr>
</table>
<p>{{#BY_ACTOR}}<a href="{{BY_ACTOR_URL}}">Entries by this person</a> &middot; {{/BY_ACTOR}}{{#ABOUT_TARGET}}<a href="{{ABOUT_TARGET_URL}}">Entries about this person</a> &middot; {{/ABOUT_TARGET}}<a href="/admin/audit">The audit log</a></p>
{{>FOOTER}}
