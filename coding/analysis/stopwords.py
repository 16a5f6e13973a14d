"""Built-in stop-word lists (folded: lower case, no accents), and a project's own."""

from interviews.models import Project
from interviews.search_index import WORD, fold

from ..models import StopWords

# Function words of everyday and interview Indonesian, with common spoken forms.
INDONESIAN = """
ada adalah agak agar akan aku amat anda antara apa apakah apalagi atas atau bagaimana
bagi bahkan bahwa baik banyak barangkali beberapa begini begitu belum benar berapa
bila bisa boleh bukan bukankah cuma dalam dan dapat dari daripada dengan di dia
diri ditanya eh gak ga hal hanya harus hingga ia ialah ibu ini itu iya jadi jangan
jika juga kalau kami kamu kan karena ke kemudian kenapa kepada ketika kita lagi lah
lain lalu maka mana masih mau melainkan memang mereka meski misalnya mungkin nah
namun nanti nya oh oleh pada padahal para pak pernah pula pun saat saja salah sama
sambil sampai sangat saya se sebagai sebelum sebenarnya sedang sedangkan sehingga
sekali sekarang selain selalu semua sendiri seperti sering serta sesudah setelah
setiap siapa sini situ sudah supaya tadi tapi telah tentang tentu terhadap
ternyata tersebut tetapi tidak toh untuk waktu ya yaitu yakni yang
"""

ENGLISH = """
a about above after again against all am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for
from further had has have having he her here hers herself him himself his how i if in
into is it its itself just me more most my myself no nor not now of off on once only
or other our ours ourselves out over own same she should so some such than that the
their theirs them themselves then there these they this those through to too under
until up very was we were what when where which while who whom why will with would
you your yours yourself yourselves
"""

BUILT_IN = {"id": INDONESIAN, "en": ENGLISH}
LANGUAGES = tuple(BUILT_IN)


def parse_words(text: str) -> list[str]:
    """The distinct folded words of a typed list, in order."""
    return list(dict.fromkeys(WORD.findall(fold(text))))


def stop_lists(project: Project) -> dict[str, list[str]]:
    """Each language's stop words for `project`: its own list where edited."""
    lists = {language: parse_words(text) for language, text in BUILT_IN.items()}
    for row in StopWords.objects.filter(project=project):
        lists[row.language] = parse_words(row.words)
    return lists


def stop_words(project: Project, languages) -> set[str]:
    lists = stop_lists(project)
    return {word for language in languages for word in lists.get(language, [])}
