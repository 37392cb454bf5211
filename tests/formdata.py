"""Read an admin form the way a browser would: every field with the value it starts with."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = self.form_id is None or attrs.get("id") == self.form_id
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.data[name] = attrs.get("value", "on")
                return
            self.data[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            if "multiple" not in attrs:
                self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def form_data(client, url, *, form_id=None):
    """GET url and return the POST data its form would send unchanged (files left out)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    data = reader.data
    for name in list(data):
        if name.endswith("-TOTAL_FORMS"):
            # Leave the blank extra inline rows out, so they need no filling in.
            data[name] = data[name.replace("TOTAL_FORMS", "INITIAL_FORMS")]
    data.pop("csrfmiddlewaretoken", None)
    return data
