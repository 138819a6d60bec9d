# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from pathlib import Path

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader


@tagged("post_install", "-at_install")
class TestFrenchTranslation(TransactionCase):
    """Every user-facing string of the module (Python, views, data, reports) has a
    French translation in i18n/fr.po, with the same placeholders."""

    def test_every_term_is_translated(self):
        po = polib.pofile(str(Path(__file__).parents[1] / "i18n" / "fr.po"))
        translations = {entry.msgid: entry.msgstr for entry in po if not entry.obsolete}
        reader = TranslationModuleReader(self.env.cr, modules=["credit_management"])
        terms = {source for __, __, __, __, source, __, __ in reader if source}
        self.assertGreater(len(terms), 100)
        missing = sorted(t for t in terms if not translations.get(t))
        self.assertFalse(missing, "terms without a French translation")
        for source in terms:
            for placeholder in ("%(", "%s"):
                self.assertEqual(
                    source.count(placeholder),
                    translations[source].count(placeholder),
                    f"placeholders differ in {source!r}",
                )
