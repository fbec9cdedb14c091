{{%AUTOESCAPE context="HTML"}}
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{TITLE}}{{TITLE_NOTE}} - staffdesk</title>
<link rel="stylesheet" href="{{STYLESHEET}}">
</head>
<body>
<div class="top">
<a class="brand" href="/">staffdesk</a>
{{#SIGNED_IN}}
<span class="who"><span class="long-only">Signed in as </span><b>{{USER_NAME}}</b> <span class="long-only">({{USER_UPN}})</span></span>
<ul class="nav">
{{#NAV}}{{#MYSTAFF_NAV}}<li><a href="/units">Locations</a></li>
<li><a href="/search">Search</a></li>
{{/MYSTAFF_NAV}}{{#ADMIN_NAV}}<li><a href="/admin">Admin</a></li>
{{/ADMIN_NAV}}<li><a href="/account">My account</a></li>{{/NAV}}
<li><form method="post" action="/logout"><input type="hidden" name="csrf" value="{{CSRF}}"><button type="submit">Sign out</button></form></li>
</ul>
{{/SIGNED_IN}}
</div>
<div class="main{{#WIDE}} wide{{/WIDE}}">
