// tpl.cc: the only C++ in staffdesk; see tpl.h. A struct tpl is a
// ctemplate::TemplateDictionary seen from C.
#include <cstdlib>
#include <cstring>
#include <string>

#include <ctemplate/template.h>
#include <ctemplate/template_modifiers.h>
#include <strings.h>

#include "tpl.h"
extern "C" {
#include "util.h"
}

using ctemplate::StaticTemplateString;
using ctemplate::TemplateDictionary;
using ctemplate::TemplateString;

static TemplateDictionary *
D(struct tpl *t)
{
	return reinterpret_cast<TemplateDictionary *>(t);
}

static struct tpl *
T(TemplateDictionary *d)
{
	return reinterpret_cast<struct tpl *>(d);
}

/*
 * A name (of a variable, section or include) as ctemplate keeps it: with
 * its id, the hash of the name. Given a bare string, ctemplate hashes it
 * and looks it up in a table shared by all threads, under a lock, at
 * every SetValue; perf gave that a tenth of a worker's time on a page of
 * 50 rows. Each name is registered once a process and kept here, found
 * again by its text (a caller's buffer may hold another name next time).
 * The names are the templates' own (a fixed set, never a request's
 * data); past SEEN of them, the rest go the slow way. A worker is one
 * thread: nothing here is locked.
 */
static TemplateString
K(const char *name)
{
	enum { SEEN = 1024 };
	static struct {
		char			*name;
		StaticTemplateString	 sts;
	}		 seen[SEEN];
	unsigned	 h = 2166136261u, i, n;
	size_t		 len;

	for (len = 0; name[len] != '\0'; len++)
		h = (h ^ static_cast<unsigned char>(name[len])) * 16777619u;
	for (i = h % SEEN, n = 0; n < SEEN; i = (i + 1) % SEEN, n++) {
		auto	&e = seen[i];

		if (e.name == nullptr) {
			e.name = xstrdup(name);
			e.sts = StaticTemplateString{
			    { e.name, len, ctemplate::kIllegalTemplateId } };
			ctemplate::StaticTemplateStringInitializer once(&e.sts);
		}
		if (std::strcmp(e.name, name) == 0)
			return TemplateString(e.sts);
	}
	return TemplateString(name);
}

/*
 * {{VAR:x-otpauth-url}}: an otpauth:// URI (the Key Uri Format of
 * authenticator apps) in an HTML attribute. ctemplate's URL modifiers,
 * which AUTOESCAPE adds in a URL attribute, let only http, https and
 * relative URLs through (anything else becomes "#"); this one lets only
 * otpauth:// through, HTML-escaped, and makes anything else, or a value
 * with a blank, control or non-ASCII byte (never in a URI), "#".
 */
class OtpauthUrl : public ctemplate::TemplateModifier {
	void Modify(const char *in, size_t inlen,
	    const ctemplate::PerExpandData *data,
	    ctemplate::ExpandEmitter *out, const std::string &arg) const
	    override
	{
		static const char	scheme[] = "otpauth://";
		size_t			i;

		if (inlen < sizeof(scheme) - 1 ||
		    strncasecmp(in, scheme, sizeof(scheme) - 1) != 0) {
			out->Emit("#");
			return;
		}
		for (i = 0; i < inlen; i++)
			if (static_cast<unsigned char>(in[i]) <= 0x20 ||
			    static_cast<unsigned char>(in[i]) >= 0x7f) {
				out->Emit("#");
				return;
			}
		ctemplate::html_escape.Modify(in, inlen, data, out, arg);
	}
};

static OtpauthUrl	otpauth_url;

// Also registers the modifiers of staffdesk's own (once a process: a
// second registration of a name is refused, and harmless).
extern "C" void
tpl_root(const char *dir)
{
	(void)ctemplate::AddXssSafeModifier("x-otpauth-url", &otpauth_url);
	ctemplate::mutable_default_template_cache()->
	    SetTemplateRootDirectory(dir);
}

extern "C" int
tpl_load(const char *file)
{
	return ctemplate::mutable_default_template_cache()->
	    LoadTemplate(file, ctemplate::STRIP_BLANK_LINES) ? 0 : -1;
}

extern "C" struct tpl *
tpl_new(void)
{
	return T(new TemplateDictionary("page"));
}

// Only a dictionary from tpl_new is freed; sections and includes
// belong to it.
extern "C" void
tpl_free(struct tpl *t)
{
	delete D(t);
}

extern "C" void
tpl_set(struct tpl *t, const char *key, const char *value)
{
	D(t)->SetValue(K(key), value != nullptr ? value : "");
}

extern "C" void
tpl_set_global(struct tpl *t, const char *key, const char *value)
{
	D(t)->SetTemplateGlobalValue(K(key), value != nullptr ? value : "");
}

extern "C" void
tpl_set_int(struct tpl *t, const char *key, long long v)
{
	D(t)->SetFormattedValue(K(key), "%lld", v);
}

extern "C" void
tpl_show(struct tpl *t, const char *section)
{
	D(t)->ShowSection(K(section));
}

extern "C" void
tpl_show_global(struct tpl *t, const char *section)
{
	D(t)->ShowTemplateGlobalSection(K(section));
}

extern "C" struct tpl *
tpl_section(struct tpl *t, const char *section)
{
	return T(D(t)->AddSectionDictionary(K(section)));
}

extern "C" struct tpl *
tpl_include(struct tpl *t, const char *name, const char *file)
{
	TemplateDictionary *d = D(t)->AddIncludeDictionary(K(name));

	d->SetFilename(file);
	return T(d);
}

extern "C" int
tpl_expand(const char *file, struct tpl *t, char **out, size_t *len)
{
	std::string	s;

	if (!ctemplate::ExpandTemplate(file, ctemplate::STRIP_BLANK_LINES,
	    D(t), &s))
		return -1;
	*out = static_cast<char *>(std::malloc(s.size() + 1));
	if (*out == nullptr)
		std::abort();
	std::memcpy(*out, s.data(), s.size() + 1);
	*len = s.size();
	return 0;
}
