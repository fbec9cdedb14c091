{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1 id="name">{{TITLE}}</h1>
{{#NOTICE}}<p class="notice" role="status" id="notice">{{NOTICE_MSG}}</p>{{/NOTICE}}
{{#FLAGS}}<p>{{#LOCKED}}<span class="flag">Locked after failed sign-ins</span> {{/LOCKED}}{{#MUST_CHANGE}}<span class="flag">Must change password at next sign-in</span> {{/MUST_CHANGE}}{{#DISABLED}}<span class="flag">Account disabled</span>{{/DISABLED}}</p>{{/FLAGS}}
<table class="facts">
<tr><th scope="row">Username</th><td id="upn">{{UPN}}</td></tr>
<tr><th scope="row">Email</th><td>{{EMAIL}}</td></tr>
<tr><th scope="row">Job title</th><td>{{JOB}}</td></tr>
<tr><th scope="row">Department</th><td>{{DEPARTMENT}}</td></tr>
<tr><th scope="row">Account</th><td id="source">{{SOURCE}}</td></tr>
<tr><th scope="row">Phone numbers</th><td id="phones">{{#PHONE}}{{TYPE}}: {{NUMBER}}<br>{{/PHONE}}{{#NO_PHONE}}none{{/NO_PHONE}}</td></tr>
<tr><th scope="row">Locations</th><td>{{#UNIT}}<a href="/units/{{UNIT_ID}}">{{UNIT_NAME}}</a><br>{{/UNIT}}{{#NO_UNIT}}none{{/NO_UNIT}}</td></tr>
{{#ROLE}}<tr><th scope="row">Role</th><td>{{ROLE_NAME}} — {{SCOPE}}</td></tr>{{/ROLE}}
<tr><th scope="row">Last sign-in</th><td>{{LAST_SIGNIN}}</td></tr>
</table>
<h2>Actions</h2>
<ul class="actions" id="actions">
{{#CAN_RESET}}<li><a class="button" id="reset-password" href="/users/{{ID}}/reset-password">Reset password</a></li>{{/CAN_RESET}}
{{#CAN_PHONES}}<li><a class="button" id="phones-edit" href="/users/{{ID}}/phone">Add / Edit / Remove phone number</a></li>{{/CAN_PHONES}}
{{#DENIED}}<li class="denied">{{WHAT}}: {{WHY}}</li>{{/DENIED}}
</ul>
{{>FOOTER}}
