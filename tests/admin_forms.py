"""Read an admin form the way a browser would submit it, so tests can post real forms."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data = {}
        self._textarea = None
        self._select = None

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = self.form_id is None or attrs.get("id") == self.form_id
            return
        if tag == "option" and self.inside and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value", ""))
            return
        if not self.inside or "name" not in attrs or "disabled" in attrs:
            return
        name = attrs["name"]
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._add(name, attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "textarea":
            self._textarea = name
            self._add(name, "")
        elif tag == "select":
            self._select = name

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea:
            # Browsers drop the newline that directly follows <textarea>.
            value = self.data[self._textarea][-1]
            self.data[self._textarea][-1] = value.removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None


def read_form(html, form_id=None):
    """{name: value or [values]} of the successful controls of the form with id form_id (of
    every form when None)."""
    reader = _FormReader(form_id)
    reader.feed(html)
    return {name: values[0] if len(values) == 1 else values for name, values in reader.data.items()}


def admin_form(client, url, *, form_id="article_form"):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return read_form(response.content.decode(), form_id)


def form_data(client, url, *, form_id=None):
    """GET url and return the POST data its form would send unchanged (files left out), with
    the blank extra inline rows left out so they need no filling in."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    data = read_form(response.content.decode(), form_id)
    for name in list(data):
        if name.endswith("-TOTAL_FORMS"):
            data[name] = data[name.replace("TOTAL_FORMS", "INITIAL_FORMS")]
    data.pop("csrfmiddlewaretoken", None)
    return data


def publish_in_admin(client, *, section, topic, tag):
    """Publish "后台发布的快讯" (slug admin-news) through the admin's add form, in `section`, with
    one topic and one tag, as an editor would; the POST's response."""
    url = "/admin/articles/article/add/"
    data = form_data(client, url, form_id="article_form")
    data.update(
        title="后台发布的快讯",
        slug="admin-news",
        body="<p>正文</p>",
        status="published",
        section=str(section.pk),
        topics=[str(topic.pk)],
        **{"taggedarticle_set-TOTAL_FORMS": "1"},
        **{"taggedarticle_set-0-tag": str(tag.pk)},
    )
    return client.post(url, data)
