"""Issue 15: the country list of an address form is named and sorted in the page's language (it was taken
in French at import)."""
import re

from django.urls import reverse


# --- country names ---------------------------------------------------------------------------------

def _country_options(page: str) -> list[str]:
    select = re.search(r'<select name="country"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r"<option value=\"[A-Z]{2}\"[^>]*>([^<]*)</option>", select)


def test_the_country_list_is_in_the_page_language_and_sorted_in_it(client, alice, pay_calendar):
    client.force_login(alice.user)
    for language, germany, not_there in [("fr", "Allemagne", "Germany"), ("en", "Germany", "Allemagne"), ("fr", "Allemagne", "Germany")]:
        page = client.get(reverse("dossier:edit_correspondence"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        names = _country_options(page)
        assert germany in names and not_there not in names, language
        # Sorted in the page's language: "Allemagne" before "Canada", "Germany" after it; "Afrique du Sud"
        # near the top in French, "South Africa" under S in English.
        assert (names.index(germany) < names.index("Canada")) == (language == "fr")
        assert (names.index("Afrique du Sud") < 5) if language == "fr" else names.index("South Africa") > names.index("Jamaica")
