{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>{{TITLE}}</h1>
{{#ALL_USERS}}<p><a href="/users">All users</a> in the organisation</p>{{/ALL_USERS}}
{{#EMPTY}}<p>No locations.</p>{{/EMPTY}}
<ul class="units" id="units">
{{#UNIT}}<li><a href="/units/{{ID}}">{{NAME}}</a> ({{PEOPLE}}){{#DESC}} <span class="hint">{{DESCRIPTION}}</span>{{/DESC}}</li>
{{/UNIT}}
</ul>
<p class="pager">{{#PREV}}<a href="{{PREV_URL}}" rel="prev">&larr; Previous</a> {{/PREV}}{{#NEXT}}<a href="{{NEXT_URL}}" rel="next">Next &rarr;</a>{{/NEXT}}</p>
{{>FOOTER}}
