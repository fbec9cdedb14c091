{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>{{TITLE}}</h1>
{{#SUMMARY}}<p class="error" role="alert" id="summary">Nothing was saved: see <a href="#{{SUMMARY_ID}}-error">what to change in {{SUMMARY_TITLE}}</a>.</p>{{/SUMMARY}}
<ul id="toc">
{{#TOC}}<li><a href="#{{ID}}">{{TITLE}}</a>{{#READ_ONLY}} <span class="hint">(read only)</span>{{/READ_ONLY}}</li>
{{/TOC}}</ul>
{{#SECTION}}
<h2 id="{{ID}}">{{TITLE}}</h2>
<p class="hint">{{INTRO}}</p>
{{#ERROR}}<p class="error" role="alert" id="{{ID}}-error">{{MESSAGE}}</p>{{/ERROR}}
{{#SAVED}}<p class="notice" role="status" id="{{ID}}-saved">{{SAVED_MSG}}</p>{{/SAVED}}
{{#WARNING}}<p class="warning" id="{{ID}}-warning">{{WARNING_MSG}}</p>{{/WARNING}}
{{#FORM}}<form method="post" action="/admin/settings/{{ID}}" class="settings">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="version" value="{{VERSION}}">
{{#FIELD}}<p{{#BAD}} class="bad"{{/BAD}}><label for="{{NAME}}">{{LABEL}}</label><br>
{{#SELECT}}<select id="{{NAME}}" name="{{NAME}}"{{#BAD}} aria-invalid="true" aria-describedby="{{NAME}}-why"{{/BAD}}>
{{#OPTION}}<option value="{{VALUE}}"{{#ON}} selected{{/ON}}>{{VALUE}}</option>
{{/OPTION}}</select>{{/SELECT}}{{#NUMBER}}<input type="text" id="{{NAME}}" name="{{NAME}}" value="{{VALUE}}" size="8" maxlength="12" inputmode="numeric"{{#BAD}} aria-invalid="true" aria-describedby="{{NAME}}-why"{{/BAD}}> <span class="hint">{{MIN}} to {{MAX}}</span>{{/NUMBER}}{{#SHORT}}<input type="text" id="{{NAME}}" name="{{NAME}}" value="{{VALUE}}" size="4" maxlength="8"{{#BAD}} aria-invalid="true" aria-describedby="{{NAME}}-why"{{/BAD}}>{{/SHORT}}{{#LIST}}<textarea id="{{NAME}}" name="{{NAME}}" rows="3" cols="48"{{#BAD}} aria-invalid="true" aria-describedby="{{NAME}}-why"{{/BAD}}>{{VALUE}}</textarea>{{/LIST}}
{{#BAD}}<br><strong class="why" id="{{NAME}}-why">{{WHY}}</strong>{{/BAD}}
<br><span class="hint">{{HELP}} (<code>{{NAME}}</code>)</span></p>
{{/FIELD}}
<p><button type="submit">Save: {{TITLE}}</button></p>
</form>{{/FORM}}
{{#VIEW}}<table class="facts">
{{#ROW}}<tr><th>{{LABEL}}<br><code>{{NAME}}</code></th><td>{{VALUE}}</td></tr>
{{/ROW}}</table>{{/VIEW}}
{{#PEOPLE}}<h3 id="{{PFX}}selected">{{LIST_TITLE}}</h3>
{{#LIST_NOTICE}}<p class="notice" role="status" id="{{PFX}}list-notice">{{LIST_NOTICE_MSG}}</p>{{/LIST_NOTICE}}
<p class="hint">{{LIST_HINT}}</p>
{{#NONE}}<p>Nobody is selected.</p>{{/NONE}}
<ul class="actions" id="{{PFX}}selected-people">
{{#PICKED}}<li>{{NAME}} ({{UPN}}){{#CAN}} <form method="post" action="/admin/{{LIST}}/unselect" class="inline"><input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="user" value="{{ID}}"><input type="hidden" name="{{Q_NAME}}" value="{{Q}}"><button type="submit">Remove {{NAME}}</button></form>{{/CAN}}</li>
{{/PICKED}}</ul>
{{#MORE}}<p class="hint">Showing the first {{SHOWN}}.</p>{{/MORE}}
{{#CAN_ADD}}<form method="get" action="/admin/settings#{{PFX}}add-person" id="{{PFX}}add-person">
<p><label for="{{Q_NAME}}">Find a person to add</label><br>
<input type="text" id="{{Q_NAME}}" name="{{Q_NAME}}" value="{{Q}}" size="30" maxlength="100"> <button type="submit">Search</button></p>
</form>
{{#NO_HITS}}<p id="{{PFX}}no-hits">Nobody matches that search.</p>{{/NO_HITS}}
<ul class="actions" id="{{PFX}}hits">
{{#HIT}}<li>{{NAME}} ({{UPN}}){{#NO_PHONE}} <span class="hint">(no phone number on file)</span>{{/NO_PHONE}} {{#ALREADY}}<span class="hint">on the list already</span>{{/ALREADY}}{{#ADDABLE}}<form method="post" action="/admin/{{LIST}}/select" class="inline"><input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="user" value="{{ID}}"><input type="hidden" name="{{Q_NAME}}" value="{{Q}}"><button type="submit">Add {{NAME}}</button></form>{{/ADDABLE}}</li>
{{/HIT}}</ul>{{/CAN_ADD}}{{/PEOPLE}}
{{/SECTION}}
{{>FOOTER}}
