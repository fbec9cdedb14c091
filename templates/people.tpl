{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>{{TITLE}}</h1>
{{#UNIT_HEAD}}<p>{{#DESC}}{{DESCRIPTION}} &middot; {{/DESC}}{{PEOPLE}}</p>{{/UNIT_HEAD}}
{{#ACTIVITY}}<p><a href="/units/{{UNIT_ID}}/activity" id="activity-link">Recent activity</a> <span class="hint">(what was done to these people in the last {{DAYS}} days)</span></p>{{/ACTIVITY}}
<form method="get" action="/search" class="inline"><p><label for="q">Search the organisation</label> <input type="text" id="q" name="q" size="30" maxlength="100"> <button type="submit">Search</button></p></form>
{{#EMPTY}}<p>Nobody here.</p>{{/EMPTY}}
<div class="scroll"><table class="list cards" id="people">
<tr><th scope="col">Name</th><th scope="col">Username</th><th scope="col">Job title</th><th scope="col">Mobile</th><th scope="col">Status</th></tr>
{{#PERSON}}<tr><td data-label="Name"><a href="/users/{{ID}}">{{NAME}}</a></td><td data-label="Username">{{UPN}}</td><td data-label="Job title">{{JOB}}</td><td data-label="Mobile" class="nowrap">{{#MOBILE}}{{NUMBER}}{{/MOBILE}}{{#NO_MOBILE}}<span class="none">none</span>{{/NO_MOBILE}}</td><td data-label="Status">{{#LOCKED}}<span class="flag">locked</span> {{/LOCKED}}{{#MUST_CHANGE}}<span class="flag">must change password</span> {{/MUST_CHANGE}}{{#DISABLED}}<span class="flag">disabled</span>{{/DISABLED}}</td></tr>
{{/PERSON}}
</table></div>
<p class="pager">{{#PREV}}<a href="{{PREV_URL}}" rel="prev">&larr; Previous</a> {{/PREV}}{{#NEXT}}<a href="{{NEXT_URL}}" rel="next">Next &rarr;</a>{{/NEXT}}</p>
{{>FOOTER}}
