{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>{{TITLE}}</h1>
<p>What was done to the people of <a href="/units/{{UNIT_ID}}" id="unit">{{UNIT_NAME}}</a> (as they are now) in the last {{DAYS}} days, newest first. Phone numbers are shown masked.</p>
{{#EMPTY}}<p>No activity.</p>{{/EMPTY}}
<div class="scroll"><table class="list" id="activity">
<tr><th scope="col">When (UTC)</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Whom</th><th scope="col">Result</th><th scope="col">Reason</th><th scope="col">Details</th></tr>
{{#ROW}}<tr><td>{{AT}}</td><td>{{ACTOR}}</td><td>{{ACTION}}</td><td>{{#TARGET_LINK}}<a href="/users/{{TARGET_ID}}">{{TARGET}}</a>{{/TARGET_LINK}}{{#TARGET_TEXT}}{{TARGET}}{{/TARGET_TEXT}}</td><td>{{RESULT}}</td><td>{{REASON}}</td><td class="details">{{DETAILS}}</td></tr>
{{/ROW}}
</table></div>
<p class="pager">{{#FIRST}}<a href="{{FIRST_URL}}" rel="first">Newest</a> {{/FIRST}}{{#PREV}}<a href="{{PREV_URL}}" rel="prev">&larr; Newer</a> {{/PREV}}{{#NEXT}}<a href="{{NEXT_URL}}" rel="next">Older &rarr;</a>{{/NEXT}}</p>
{{>FOOTER}}
