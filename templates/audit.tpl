{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>Audit log</h1>
{{#ERROR}}<p class="error" role="alert" id="error">{{MESSAGE}}</p>{{/ERROR}}
<form method="get" action="/admin/audit" class="filters">
<p><label for="actor">Who (username starts with)</label> <input type="text" id="actor" name="actor" value="{{ACTOR}}" size="24">
<label for="target">Whom (name starts with, or id)</label> <input type="text" id="target" name="target" value="{{TARGET}}" size="24"></p>
<p><label for="action">Action starts with</label> <input type="text" id="action" name="action" value="{{ACTION}}" size="20">
<label for="result">Result</label> <select id="result" name="result"><option value="">any</option><option value="success"{{#SEL_SUCCESS}} selected{{/SEL_SUCCESS}}>success</option><option value="failure"{{#SEL_FAILURE}} selected{{/SEL_FAILURE}}>failure</option></select>
<label for="client">From</label> <select id="client" name="client"><option value="">anywhere</option>{{#CLIENT_OPT}}<option value="{{VALUE}}"{{#SELECTED}} selected{{/SELECTED}}>{{LABEL}}</option>{{/CLIENT_OPT}}</select></p>
<p><label for="from">Days from</label> <input type="text" id="from" name="from" value="{{FROM}}" size="10" placeholder="YYYY-MM-DD">
<label for="to">to</label> <input type="text" id="to" name="to" value="{{TO}}" size="10" placeholder="YYYY-MM-DD">
<button type="submit">Filter</button></p>
</form>
{{#ENTRIES}}<p><a href="{{CSV_URL}}" id="csv">Download these entries as CSV</a> <span class="hint">(every matching entry, not only this page)</span></p>
{{#EMPTY}}<p>No entries.</p>{{/EMPTY}}
<div class="scroll"><table class="list cards-wide" id="audit">
<tr><th scope="col">When (UTC)</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Whom</th><th scope="col">Result</th><th scope="col">Reason</th><th scope="col">From</th><th scope="col">Address</th><th scope="col">Details</th></tr>
{{#ROW}}<tr><td data-label="When (UTC)" class="nowrap"><a href="/admin/audit/{{ID}}"><time datetime="{{AT_ISO}}">{{AT}}</time></a></td><td data-label="Who" class="long">{{ACTOR}}</td><td data-label="Action">{{ACTION}}</td><td data-label="Whom" class="long">{{TARGET}}</td><td data-label="Result">{{RESULT}}</td><td data-label="Reason">{{REASON}}</td><td data-label="From">{{CLIENT}}</td><td data-label="Address" class="long">{{IP}}</td><td data-label="Details" class="details">{{#DETAILS_LIST}}<dl class="kv">{{#DETAIL}}<dt>{{LABEL}}:</dt> <dd>{{VALUE}}</dd> {{/DETAIL}}</dl>{{/DETAILS_LIST}}{{#RAW_DETAILS}}<code>{{DETAILS_TEXT}}</code>{{/RAW_DETAILS}}</td></tr>
{{/ROW}}
</table></div>
<p class="pager">{{#FIRST}}<a href="{{FIRST_URL}}" rel="first">Newest</a> {{/FIRST}}{{#PREV}}<a href="{{PREV_URL}}" rel="prev">&larr; Newer</a> {{/PREV}}{{#NEXT}}<a href="{{NEXT_URL}}" rel="next">Older &rarr;</a>{{/NEXT}}</p>
{{/ENTRIES}}
{{>FOOTER}}
