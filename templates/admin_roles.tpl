{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>Roles</h1>
<p><a href="/admin">Administration</a> &middot; <a href="/admin/roles">Start again</a></p>
{{#NOTICE}}<p class="notice" id="notice" role="status">{{NOTICE_MSG}}</p>{{/NOTICE}}
{{#ERROR}}<p class="error" id="error" role="alert">{{MESSAGE}}</p>{{/ERROR}}
{{#PICK}}<p>Find a person to see and change their roles, or a location to see the roles held there.</p>{{/PICK}}
<form method="get" action="/admin/roles" id="find-person">
{{#KEEP_UNIT}}<input type="hidden" name="unit" value="{{KEEP_UNIT_ID}}">{{/KEEP_UNIT}}
<p><label for="q">Find a person (name, username, email or phone; the start of a word is enough)</label><br>
<input type="text" id="q" name="q" value="{{Q}}" size="40" maxlength="100">
<button type="submit">Find</button></p>
</form>
{{#FOUND}}
<ul id="candidates">
{{#CANDIDATE}}<li><a href="/admin/roles?user={{ID}}{{#KEEP_UNIT}}&amp;unit={{KEEP_UNIT_ID}}{{/KEEP_UNIT}}">{{NAME}}</a> <span class="hint">{{UPN}}</span></li>
{{/CANDIDATE}}
</ul>
{{#NO_HITS}}<p id="no-hits">Nobody matches that search.</p>{{/NO_HITS}}
{{/FOUND}}
<form method="get" action="/admin/roles" id="find-location">
{{#KEEP_PERSON}}<input type="hidden" name="user" value="{{KEEP_USER}}">{{/KEEP_PERSON}}
<p><label for="unit_q">Find a location (the start of a word of its name)</label><br>
<input type="text" id="unit_q" name="unit_q" value="{{UNIT_Q}}" size="40" maxlength="100">
<button type="submit">Find</button></p>
</form>
{{#UNIT_FOUND}}
{{#NO_UNIT_HITS}}<p id="no-unit-hits">No location has a word starting with &ldquo;{{UNIT_Q}}&rdquo;.</p>{{/NO_UNIT_HITS}}
<ul id="unit-hits">
{{#UNIT_HIT}}<li><a href="/admin/roles?unit={{ID}}{{#KEEP_PERSON}}&amp;user={{KEEP_USER}}{{/KEEP_PERSON}}">{{NAME}}</a></li>
{{/UNIT_HIT}}
</ul>
{{#MORE_UNIT_HITS}}<p class="hint">The first {{UNIT_HITS_SHOWN}} are shown: type more of the name.</p>{{/MORE_UNIT_HITS}}
{{/UNIT_FOUND}}
{{#PERSON}}
<h2 id="person">Roles of {{PERSON_NAME}} <span class="hint">{{PERSON_UPN}}</span></h2>
{{#NO_ROLES}}<p id="no-roles">No roles.</p>{{/NO_ROLES}}
{{#HAS_ROLES}}<div class="scroll"><table class="list" id="roles">
<tr><th scope="col">Role</th><th scope="col">For</th>{{#CAN_REVOKE}}<th scope="col"><span class="hint">Change</span></th>{{/CAN_REVOKE}}</tr>
{{#HELD}}<tr><td>{{ROLE}}</td><td>{{#ORG}}the whole organisation{{/ORG}}{{#AT_UNIT}}<a href="/admin/units/{{UNIT_ID}}">{{UNIT_NAME}}</a>{{/AT_UNIT}}</td>{{#REVOKE}}<td><form method="post" action="/admin/roles/revoke" class="row"><input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="user" value="{{USER_ID}}"><input type="hidden" name="role" value="{{ROLE_ID}}"><input type="hidden" name="unit" value="{{SCOPE_ID}}"><input type="hidden" name="back" value="{{BACK}}"><button type="submit">Revoke<span class="visually-hidden"> {{REVOKE_WHAT}}</span></button></form></td>{{/REVOKE}}{{#NO_REVOKE}}<td></td>{{/NO_REVOKE}}</tr>
{{/HELD}}
</table></div>{{/HAS_ROLES}}
{{#ASSIGN}}
<h2>Give {{PERSON_NAME}} a role</h2>
<form method="post" action="/admin/roles" id="assign">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="user" value="{{PERSON_ID}}">
<p><label for="role">Role</label><br>
<select id="role" name="role">
<option value="">Choose a role</option>
{{#ROLE_OPTION}}<option value="{{ID}}"{{#SELECTED}} selected{{/SELECTED}}>{{NAME}}{{#ORG_ONLY}} (whole organisation only){{/ORG_ONLY}}</option>
{{/ROLE_OPTION}}</select></p>
<p><label for="scope">For</label><br>
<select id="scope" name="unit">
<option value="">the whole organisation</option>
{{#SCOPE}}<option value="{{ID}}"{{#SELECTED}} selected{{/SELECTED}}>{{NAME}}</option>
{{/SCOPE}}</select>
<span class="hint">For another location, find it above and pick it.</span></p>
<p><button type="submit" id="assign-button">Assign</button></p>
</form>
{{/ASSIGN}}
{{/PERSON}}
{{#LOCATION}}
<h2 id="location">Roles held at {{LOCATION_NAME}}</h2>
<p><a href="/admin/units/{{KEEP_UNIT_ID}}">The location's page</a></p>
{{#NO_UNIT_ROLES}}<p id="no-unit-roles">Nobody holds a role at this location.</p>{{/NO_UNIT_ROLES}}
{{#HAS_UNIT_ROLES}}<div class="scroll"><table class="list" id="unit-roles">
<tr><th scope="col">Person</th><th scope="col">Username</th><th scope="col">Role</th>{{#CAN_REVOKE}}<th scope="col"><span class="hint">Change</span></th>{{/CAN_REVOKE}}</tr>
{{#UNIT_ROLE}}<tr><td><a href="/admin/roles?user={{PERSON_ID}}&amp;unit={{KEEP_UNIT_ID}}">{{PERSON}}</a></td><td>{{UPN}}</td><td>{{ROLE}}</td>{{#REVOKE}}<td><form method="post" action="/admin/roles/revoke" class="row"><input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="user" value="{{USER_ID}}"><input type="hidden" name="role" value="{{ROLE_ID}}"><input type="hidden" name="unit" value="{{SCOPE_ID}}"><input type="hidden" name="back" value="{{BACK}}"><button type="submit">Revoke<span class="visually-hidden"> {{REVOKE_WHAT}}</span></button></form></td>{{/REVOKE}}{{#NO_REVOKE}}<td></td>{{/NO_REVOKE}}</tr>
{{/UNIT_ROLE}}
</table></div>{{/HAS_UNIT_ROLES}}
{{#MORE_UNIT_ROLES}}<p class="hint">The first {{UNIT_ROLES_SHOWN}} are shown.</p>{{/MORE_UNIT_ROLES}}
{{/LOCATION}}
{{#OVERVIEW}}
<h2 id="org-roles-heading">Roles for the whole organisation</h2>
{{#NO_ORG_ROLES}}<p id="no-org-roles">Nobody holds a role for the whole organisation.</p>{{/NO_ORG_ROLES}}
{{#HAS_ORG_ROLES}}<div class="scroll"><table class="list" id="org-roles">
<tr><th scope="col">Role</th><th scope="col">Person</th><th scope="col">Username</th><th scope="col">Account</th></tr>
{{#ORG_ROLE}}<tr><td>{{ROLE}}</td><td><a href="/admin/roles?user={{PERSON_ID}}">{{PERSON}}</a></td><td>{{UPN}}</td><td>{{#ORG_DISABLED}}<span class="flag">disabled</span>{{/ORG_DISABLED}}</td></tr>
{{/ORG_ROLE}}
</table></div>{{/HAS_ORG_ROLES}}
{{#MORE_ORG_ROLES}}<p class="hint" id="more-org-roles">The first {{ORG_ROLES_SHOWN}} are shown: find a person above to see anyone's roles.</p>{{/MORE_ORG_ROLES}}
<p class="hint">Roles held at one location are listed on that location's page.</p>
{{/OVERVIEW}}
{{#READ_ONLY}}<p class="hint" id="read-only">Your role lets you read the role assignments, not change them.</p>{{/READ_ONLY}}
{{>FOOTER}}
