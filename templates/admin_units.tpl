{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>Locations</h1>
<p><a href="/admin">Administration</a></p>
{{#NOTICE}}<p class="notice" id="notice" role="status">{{NOTICE_MSG}}</p>{{/NOTICE}}
<form method="get" action="/admin/units" id="find">
<p><label for="q">Find a location (the start of a word of its name is enough)</label><br>
<input type="text" id="q" name="q" value="{{Q}}" size="40" maxlength="100">
<button type="submit">Find</button></p>
</form>
{{#EMPTY}}<p id="no-units">No locations yet.</p>{{/EMPTY}}
{{#NO_HITS}}<p id="no-units">No location has a word starting with &ldquo;{{Q}}&rdquo;.</p>{{/NO_HITS}}
<ul class="units" id="units">
{{#UNIT}}<li><a href="/admin/units/{{ID}}">{{NAME}}</a> ({{PEOPLE}}){{#DESC}} <span class="hint">{{DESCRIPTION}}</span>{{/DESC}}</li>
{{/UNIT}}
</ul>
<p class="pager">{{#FIRST}}<a href="{{FIRST_URL}}">&larr; First page</a> {{/FIRST}}{{#PREV}}<a href="{{PREV_URL}}" rel="prev">&larr; Previous</a> {{/PREV}}{{#NEXT}}<a href="{{NEXT_URL}}" rel="next">Next &rarr;</a>{{/NEXT}}</p>
{{#CREATE}}
<h2 id="new">New location</h2>
<form method="post" action="/admin/units" id="create">
<input type="hidden" name="csrf" value="{{CSRF}}">
<p><label for="name">Name</label> <span class="hint">(1-100 characters, not used by another location)</span><br>
<input type="text" id="name" name="name" value="{{NAME_VALUE}}" size="40" maxlength="100"{{#NAME_BAD}} aria-invalid="true" aria-describedby="name-error" class="invalid"{{/NAME_BAD}}></p>
{{#NAME_BAD}}<p class="error" id="name-error" role="alert">{{NAME_ERROR}}{{#TAKEN}}There is already a location named <a href="/admin/units/{{TAKEN_ID}}" id="taken">{{TAKEN_NAME}}</a> (names are the same whatever their case or accents).{{/TAKEN}}</p>{{/NAME_BAD}}
<p><label for="description">Description</label> <span class="hint">(optional, at most 500 characters)</span><br>
<input type="text" id="description" name="description" value="{{DESC_VALUE}}" size="60" maxlength="500"{{#DESC_BAD}} aria-invalid="true" aria-describedby="description-error" class="invalid"{{/DESC_BAD}}></p>
{{#DESC_BAD}}<p class="error" id="description-error" role="alert">{{DESC_ERROR}}</p>{{/DESC_BAD}}
<p><button type="submit" id="create-button">Create the location</button></p>
</form>
{{/CREATE}}
{{#READ_ONLY}}<p class="hint" id="read-only">Your role lets you read the locations, not change them.</p>{{/READ_ONLY}}
{{>FOOTER}}
