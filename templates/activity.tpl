{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>{{TITLE}}</h1>
<p>What was done to the people of <a href="/units/{{UNIT_ID}}" id="unit">{{UNIT_NAME}}</a> (as they are now) in the last {{DAYS}} days, newest first. Phone numbers are shown masked.</p>
{{#EMPTY}}<p>No activity.</p>{{/EMPTY}}
<div class="scroll"><table class="list cards-wide" id="activity">
<tr><th scope="col">When (UTC)</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Whom</th><th scope="col">Result</th><th scope="col">Reason</th><th scope="col">Details</th></tr>
{{#ROW}}<tr><td data-label="When (UTC)" class="nowrap"><time datetime="{{AT_ISO}}">{{AT}}</time></td><td data-label="Who" class="long">{{ACTOR}}</td><td data-label="Action">{{ACTION}}</td><td data-label="Whom" class="long">{{#TARGET_LINK}}<a href="/users/{{TARGET_ID}}">{{TARGET}}</a>{{/TARGET_LINK}}{{#TARGET_TEXT}}{{TARGET}}{{/TARGET_TEXT}}</td><td data-label="Result">{{RESULT}}</td><td data-label="Reason">{{REASON}}</td><td data-label="Details" class="details">{{#DETAILS_LIST}}<dl class="kv">{{#DETAIL}}<dt>{{LABEL}}:</dt> <dd>{{VALUE}}</dd> {{/DETAIL}}</dl>{{/DETAILS_LIST}}{{#RAW_DETAILS}}<code>{{DETAILS_TEXT}}</code>{{/RAW_DETAILS}}</td></tr>
{{/ROW}}
</table></div>
<p class="pager">{{#FIRST}}<a href="{{FIRST_URL}}" rel="first">Newest</a> {{/FIRST}}{{#PREV}}<a href="{{PREV_URL}}" rel="prev">&larr; Newer</a> {{/PREV}}{{#NEXT}}<a href="{{NEXT_URL}}" rel="next">Older &rarr;</a>{{/NEXT}}</p>
{{>FOOTER}}
