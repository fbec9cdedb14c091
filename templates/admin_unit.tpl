{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>{{TITLE}}</h1>
<p><a href="/admin/units">All locations</a> &middot; <a href="/units/{{UNIT_ID}}">This location in My Staff</a></p>
<p id="about">{{DESCRIPTION}} &middot; {{PEOPLE}}</p>
{{#NOTICE}}<p class="notice" id="notice" role="status">{{NOTICE_MSG}}</p>{{/NOTICE}}
{{#ERROR}}<p class="error" id="error" role="alert">{{MESSAGE}}</p>{{/ERROR}}
{{#EDIT}}
<h2>Name and description</h2>
<form method="post" action="/admin/units/{{UNIT_ID}}" id="edit">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="version" value="{{VERSION}}">
<p><label for="name">Name</label> <span class="hint">(1-100 characters, not used by another location)</span><br>
<input type="text" id="name" name="name" value="{{NAME_VALUE}}" size="40" maxlength="100"{{#NAME_BAD}} aria-invalid="true" aria-describedby="name-error" class="invalid"{{/NAME_BAD}}></p>
{{#NAME_BAD}}<p class="error" id="name-error" role="alert">{{NAME_ERROR}}{{#TAKEN}}There is already a location named <a href="/admin/units/{{TAKEN_ID}}" id="taken">{{TAKEN_NAME}}</a> (names are the same whatever their case or accents).{{/TAKEN}}</p>{{/NAME_BAD}}
<p><label for="description">Description</label> <span class="hint">(optional, at most 500 characters)</span><br>
<input type="text" id="description" name="description" value="{{DESC_VALUE}}" size="60" maxlength="500"{{#DESC_BAD}} aria-invalid="true" aria-describedby="description-error" class="invalid"{{/DESC_BAD}}></p>
{{#DESC_BAD}}<p class="error" id="description-error" role="alert">{{DESC_ERROR}}</p>{{/DESC_BAD}}
<p><button type="submit" id="save">Save</button></p>
</form>
{{/EDIT}}
{{#READ_ONLY}}<p class="hint" id="read-only">Your role lets you read this location, not change it.</p>{{/READ_ONLY}}
<h2>Members</h2>
{{#NO_MEMBERS}}<p id="no-members">Nobody is a member of this location.</p>{{/NO_MEMBERS}}
{{#HAS_MEMBERS}}{{#EDIT}}<form method="post" action="/admin/units/{{UNIT_ID}}/members/remove" id="remove">
<input type="hidden" name="csrf" value="{{CSRF}}">
{{/EDIT}}<div class="scroll"><table class="list cards" id="members">
<tr><th scope="col">Name</th><th scope="col">Username</th>{{#EDIT}}<th scope="col"><span class="hint">Change</span></th>{{/EDIT}}</tr>
{{#MEMBER}}<tr><td data-label="Name"><a href="/admin/roles?user={{ID}}">{{NAME}}</a></td><td data-label="Username">{{UPN}}</td>{{#REMOVE}}<td data-label="Change"><button type="submit" name="user" value="{{ID}}">Remove<span class="visually-hidden"> {{NAME}}</span></button></td>{{/REMOVE}}</tr>
{{/MEMBER}}
</table></div>{{#EDIT}}
</form>{{/EDIT}}{{/HAS_MEMBERS}}
<p class="pager">{{#PREV}}<a href="{{PREV_URL}}" rel="prev">&larr; Previous</a> {{/PREV}}{{#NEXT}}<a href="{{NEXT_URL}}" rel="next">Next &rarr;</a>{{/NEXT}}</p>
{{#ADD}}
<h2>Add a member</h2>
<form method="get" action="/admin/units/{{UNIT_ID}}" id="find-person">
<p><label for="q">Find a person (name, username, email or phone; the start of a word is enough)</label><br>
<input type="text" id="q" name="q" value="{{Q}}" size="40" maxlength="100">
<button type="submit">Find</button></p>
</form>
{{#FOUND}}
<form method="post" action="/admin/units/{{UNIT_ID}}/members" id="add">
<input type="hidden" name="csrf" value="{{CSRF}}">
<input type="hidden" name="q" value="{{Q}}">
<p>People found:</p>
<ul id="candidates">
{{#CANDIDATE}}<li>{{NAME}} <span class="hint">{{UPN}}</span> {{#ADDABLE}}<button type="submit" name="user" value="{{ID}}">Add<span class="visually-hidden"> {{NAME}}</span></button>{{/ADDABLE}}{{#ALREADY}}<span class="hint">already a member</span>{{/ALREADY}}</li>
{{/CANDIDATE}}
</ul>
{{#NO_HITS}}<p id="no-hits">Nobody matches that search.</p>{{/NO_HITS}}
</form>
{{/FOUND}}
{{/ADD}}
<h2>Roles held at this location</h2>
{{#NO_UNIT_ROLES}}<p id="no-unit-roles">Nobody holds a role at this location.</p>{{/NO_UNIT_ROLES}}
{{#HAS_UNIT_ROLES}}<div class="scroll"><table class="list cards" id="unit-roles">
<tr><th scope="col">Person</th><th scope="col">Username</th><th scope="col">Role</th>{{#CAN_REVOKE}}<th scope="col"><span class="hint">Change</span></th>{{/CAN_REVOKE}}</tr>
{{#UNIT_ROLE}}<tr><td data-label="Person"><a href="/admin/roles?user={{PERSON_ID}}">{{PERSON}}</a></td><td data-label="Username">{{UPN}}</td><td data-label="Role">{{ROLE}}</td>{{#REVOKE}}<td data-label="Change"><form method="post" action="/admin/roles/revoke" class="row"><input type="hidden" name="csrf" value="{{CSRF}}"><input type="hidden" name="user" value="{{USER_ID}}"><input type="hidden" name="role" value="{{ROLE_ID}}"><input type="hidden" name="unit" value="{{SCOPE_ID}}"><input type="hidden" name="back" value="{{BACK}}"><button type="submit">Revoke<span class="visually-hidden"> {{REVOKE_WHAT}}</span></button></form></td>{{/REVOKE}}{{#NO_REVOKE}}<td></td>{{/NO_REVOKE}}</tr>
{{/UNIT_ROLE}}
</table></div>{{/HAS_UNIT_ROLES}}
{{#MORE_UNIT_ROLES}}<p class="hint">The first {{UNIT_ROLES_SHOWN}} are shown.</p>{{/MORE_UNIT_ROLES}}
{{#ASSIGN_HERE}}<p><a href="/admin/roles?unit={{UNIT_ID}}" id="assign-here">Give someone a role at this location</a></p>{{/ASSIGN_HERE}}
{{#EDIT}}
<h2 id="delete-heading">Delete this location</h2>
<p id="delete-hint">Deleting works only on an empty location: remove its members and revoke the roles held here first. Nothing else is deleted with it.</p>
<form method="post" action="/admin/units/{{UNIT_ID}}/delete" id="delete">
<input type="hidden" name="csrf" value="{{CSRF}}">
<p><button type="submit" id="delete-button">Delete this location</button></p>
</form>
{{/EDIT}}
{{>FOOTER}}
