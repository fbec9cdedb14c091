{{%AUTOESCAPE context="HTML"}}
</div>
<p class="foot">staffdesk</p>
</body>
</html>
