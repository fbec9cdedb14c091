{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>Search</h1>
<form method="get" action="/search">
<p><label for="q">A person's name, username, email or phone number, or a location's name (the start of a word is enough)</label><br>
<input type="text" id="q" name="q" value="{{Q}}" size="40" maxlength="100" autofocus>
<button type="submit">Search</button></p>
</form>
{{#RESULTS}}
{{#EMPTY}}<p id="no-results">Nothing found for &ldquo;{{Q}}&rdquo;.</p>{{/EMPTY}}
{{#HIT_UNIT}}<p class="hit-unit">Location: <a href="/units/{{ID}}">{{NAME}}</a>{{#DESC}} <span class="hint">{{DESCRIPTION}}</span>{{/DESC}}</p>
{{/HIT_UNIT}}
{{#PEOPLE}}<div class="scroll"><table class="list cards" id="people">
<tr><th scope="col">Name</th><th scope="col">Username</th><th scope="col">Location</th><th scope="col">Job title</th><th scope="col">Mobile</th><th scope="col">Status</th><th scope="col">You can</th></tr>
{{#PERSON}}<tr><td data-label="Name"><a href="/users/{{ID}}">{{NAME}}</a></td><td data-label="Username">{{UPN}}</td><td data-label="Location">{{#UNIT}}{{#UNIT_SEP}}, {{/UNIT_SEP}}<a href="/units/{{UNIT_ID}}">{{UNIT_NAME}}</a>{{/UNIT}}{{#NO_UNIT}}<span class="none">none</span>{{/NO_UNIT}}</td><td data-label="Job title">{{JOB}}</td><td data-label="Mobile" class="nowrap">{{#MOBILE}}{{NUMBER}}{{/MOBILE}}{{#NO_MOBILE}}<span class="none">none</span>{{/NO_MOBILE}}</td><td data-label="Status">{{#LOCKED}}<span class="flag">locked</span> {{/LOCKED}}{{#MUST_CHANGE}}<span class="flag">must change password</span> {{/MUST_CHANGE}}{{#DISABLED}}<span class="flag">disabled</span>{{/DISABLED}}</td><td data-label="You can">{{#CAN_ACT}}{{CAN}}{{/CAN_ACT}}{{#VIEW_ONLY}}view only{{/VIEW_ONLY}}</td></tr>
{{/PERSON}}
</table></div>{{/PEOPLE}}
<p class="pager">{{#FIRST}}<a href="{{FIRST_URL}}">&larr; First page</a> {{/FIRST}}{{#PREV}}<a href="{{PREV_URL}}" rel="prev">&larr; Previous</a> {{/PREV}}{{#NEXT}}<a href="{{NEXT_URL}}" rel="next">Next &rarr;</a>{{/NEXT}}</p>
{{/RESULTS}}
{{>FOOTER}}
