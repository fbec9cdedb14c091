{{%AUTOESCAPE context="HTML"}}
{{>HEADER}}
<h1>{{TITLE}}</h1>
<p>What your roles let you see and change in staffdesk.</p>
<ul class="actions" id="sections">
{{#SECTION}}<li><a href="{{URL}}">{{NAME}}</a> <span class="hint">{{WHAT}}{{#READ_ONLY}} (read only){{/READ_ONLY}}</span></li>
{{/SECTION}}
</ul>
{{>FOOTER}}
