"""Words of the generated mail: office-style sentences, subjects and people in five languages.

Each language carries what a mail client must get right with it: Arabic (right to left), Greek
(non-Latin script, ';' as question mark), Czech and Swedish (Latin with diacritics), English.
"""

LANGUAGES = {
    "en": {
        "weight": 40,
        "reply": "Re: ",
        "forward": "Fwd: ",
        "wrote": "On {date}, {name} wrote:",
        "subjects": [
            "Monthly report", "Team meeting on Thursday", "Budget update", "Printer on the second floor",
            "Vacation request", "New quote from the supplier", "Scan from the office printer",
            "Q3 planning", "Invoice 2023-0142", "Welcome to the project", "Server maintenance tonight",
            "Lunch on Friday?", "Contract draft for review", "Travel expenses", "Minutes of the board meeting",
        ],
        "sentences": [
            "Hi, I hope you are doing well.", "Please find the monthly report attached for review.",
            "Could we move the meeting to Thursday afternoon?", "Thanks a lot for the quick reply.",
            "I will send you the final version before the end of the week.",
            "Please have a look at the notes on page three.",
            "The printer on the second floor has not worked since this morning.",
            "The budget was updated following your instructions.",
            "Let me know if you have any questions.", "I have copied the finance team on this thread.",
            "The numbers for March look better than we expected.",
            "Could you confirm the delivery date with the supplier?",
            "We still need a signature from the legal department.",
            "I will be out of the office on Monday and Tuesday.",
            "The new scanner sends its scans straight to this mailbox.",
            "Attached are the slides from yesterday's presentation.",
        ],
        "closings": ["Best regards,", "Thanks,", "Kind regards,", "Cheers,"],
        "names": ["Alice Martin", "John Smith", "Priya Patel", "Daniel O'Brien", "Mei Chen", "Tom Baker",
                  "Sarah Johnson", "Michael Brown"],
        "attachments": ["Report_March.pdf", "invoice-0142.pdf", "scan_0001.pdf", "screenshot.png",
                        "floor-plan.png", "minutes.pdf"],
    },
    "ar": {
        "weight": 15,
        "reply": "رد: ",
        "forward": "إعادة توجيه: ",
        "wrote": "في {date}، كتب {name}:",
        "subjects": [
            "التقرير الشهري", "اجتماع الفريق يوم الخميس", "تحديث الميزانية", "مشكلة في الطابعة",
            "طلب إجازة", "عرض سعر جديد", "فاتورة شهر مارس", "محضر اجتماع مجلس الإدارة",
        ],
        "sentences": [
            "مرحباً، أرجو أن تكون بخير.", "أرفقت لك التقرير الشهري للمراجعة.",
            "هل يمكننا تأجيل الاجتماع إلى يوم الخميس؟", "شكراً جزيلاً على ردك السريع.",
            "سأرسل لك النسخة النهائية قبل نهاية الأسبوع.", "يرجى مراجعة الملاحظات في الصفحة الثالثة.",
            "الطابعة في الطابق الثاني لا تعمل منذ الصباح.", "تم تحديث الميزانية وفقاً لتعليماتك.",
            "أخبرني إذا كانت لديك أي أسئلة.", "الأرقام لشهر مارس أفضل مما توقعنا.",
            "هل يمكنك تأكيد موعد التسليم مع المورد؟", "سأكون خارج المكتب يومي الاثنين والثلاثاء.",
        ],
        "closings": ["مع أطيب التحيات،", "شكراً،", "تحياتي،"],
        "names": ["أحمد المنصوري", "فاطمة الزهراء", "ليلى حداد", "عمر خليل", "يوسف النجار"],
        "attachments": ["التقرير.pdf", "فاتورة-٤٢.pdf", "صورة.png", "مخطط.png"],
    },
    "el": {
        "weight": 15,
        "reply": "ΑΠ: ",
        "forward": "ΠΡΘ: ",
        "wrote": "Στις {date}, ο/η {name} έγραψε:",
        "subjects": [
            "Μηνιαία αναφορά", "Συνάντηση ομάδας την Πέμπτη", "Ενημέρωση προϋπολογισμού",
            "Πρόβλημα με τον εκτυπωτή", "Αίτηση άδειας", "Νέα προσφορά τιμής", "Τιμολόγιο Μαρτίου",
        ],
        "sentences": [
            "Καλημέρα σας, ελπίζω να είστε καλά.", "Σας επισυνάπτω την αναφορά του μήνα για έλεγχο.",
            "Μπορούμε να μεταφέρουμε τη συνάντηση την Πέμπτη;", "Ευχαριστώ πολύ για τη γρήγορη απάντηση.",
            "Θα σας στείλω την τελική έκδοση μέχρι το τέλος της εβδομάδας.",
            "Παρακαλώ δείτε τις σημειώσεις στη σελίδα τρία.",
            "Ο εκτυπωτής στον δεύτερο όροφο δεν λειτουργεί από το πρωί.",
            "Ο προϋπολογισμός ενημερώθηκε σύμφωνα με τις οδηγίες σας.",
            "Πείτε μου αν έχετε οποιαδήποτε ερώτηση.", "Τα νούμερα του Μαρτίου είναι καλύτερα από το αναμενόμενο.",
            "Θα λείπω από το γραφείο Δευτέρα και Τρίτη.",
        ],
        "closings": ["Με εκτίμηση,", "Ευχαριστώ,", "Φιλικά,"],
        "names": ["Γιώργος Παπαδόπουλος", "Ελένη Κωνσταντίνου", "Νίκος Αλεξίου", "Μαρία Γεωργίου"],
        "attachments": ["αναφορά.pdf", "τιμολόγιο.pdf", "σχέδιο.png"],
    },
    "cs": {
        "weight": 15,
        "reply": "Odp: ",
        "forward": "Přeposlat: ",
        "wrote": "Dne {date} {name} napsal(a):",
        "subjects": [
            "Měsíční zpráva", "Porada týmu ve čtvrtek", "Aktualizace rozpočtu", "Porucha tiskárny",
            "Žádost o dovolenou", "Nová cenová nabídka", "Faktura za březen", "Příliš žluťoučký kůň",
        ],
        "sentences": [
            "Dobrý den, doufám, že se máte dobře.", "V příloze posílám měsíční zprávu ke kontrole.",
            "Můžeme přesunout schůzku na čtvrtek?", "Děkuji mnohokrát za rychlou odpověď.",
            "Finální verzi vám pošlu do konce týdne.", "Prosím, podívejte se na poznámky na třetí straně.",
            "Tiskárna ve druhém patře od rána nefunguje.", "Rozpočet byl aktualizován podle vašich pokynů.",
            "Dejte mi vědět, pokud máte jakékoli dotazy.", "Příliš žluťoučký kůň úpěl ďábelské ódy.",
            "Čísla za březen vypadají lépe, než jsme čekali.", "V pondělí a v úterý budu mimo kancelář.",
        ],
        "closings": ["S pozdravem,", "Děkuji,", "Hezký den,"],
        "names": ["Jiří Dvořák", "Lucie Nováková", "Tomáš Černý", "Kateřina Svobodová", "Petr Procházka"],
        "attachments": ["zpráva-březen.pdf", "faktura-č.42.pdf", "snímek-obrazovky.png"],
    },
    "sv": {
        "weight": 15,
        "reply": "SV: ",
        "forward": "VB: ",
        "wrote": "Den {date} skrev {name}:",
        "subjects": [
            "Månadsrapport", "Teammöte på torsdag", "Uppdaterad budget", "Skrivaren är trasig",
            "Ledighetsansökan", "Ny offert", "Faktura för mars", "Protokoll från styrelsemötet",
        ],
        "sentences": [
            "Hej, jag hoppas att allt är bra med dig.", "Jag bifogar månadsrapporten för granskning.",
            "Kan vi flytta mötet till torsdag?", "Tack så mycket för ditt snabba svar.",
            "Jag skickar den slutliga versionen före veckans slut.",
            "Titta gärna på anteckningarna på sidan tre.",
            "Skrivaren på andra våningen har inte fungerat sedan i morse.",
            "Budgeten har uppdaterats enligt dina instruktioner.", "Hör av dig om du har några frågor.",
            "Flygande bäckasiner söka hwila på mjuka tuvor.", "Siffrorna för mars ser bättre ut än väntat.",
            "Jag är ledig på måndag och tisdag.",
        ],
        "closings": ["Med vänliga hälsningar,", "Tack,", "Hälsningar,"],
        "names": ["Åsa Lindström", "Björn Åkesson", "Märta Öberg", "Sven Nyström", "Karin Ekström"],
        "attachments": ["månadsrapport.pdf", "kvitto-åtta.pdf", "skärmbild.png"],
    },
}

# Reserved example domains only (RFC 2606 / 6761): nothing generated can reach a real mailbox.
DOMAINS = ["example.com", "example.org", "example.net", "corp.example", "mail.example"]
# Time zones people write from, per language (minutes east of UTC).
TIMEZONES = {"en": [0, 60, -300, -480, 330], "ar": [180, 240, 120], "el": [120, 180], "cs": [60, 120],
             "sv": [60, 120]}
MAILERS = ["Microsoft Outlook 16.0", "Mozilla Thunderbird 115.6", "Apple Mail (2.3731)",
           "Tern 0.1", "Evolution 3.46.4", "Roundcube Webmail/1.6.5", "Xerox WorkCentre scan-to-mail"]

# ASCII local parts for the names above (addresses are ASCII; display names are not).
TRANSLIT = str.maketrans({
    "á": "a", "č": "c", "ď": "d", "é": "e", "ě": "e", "í": "i", "ň": "n", "ó": "o", "ř": "r", "š": "s",
    "ť": "t", "ú": "u", "ů": "u", "ý": "y", "ž": "z", "å": "a", "ä": "a", "ö": "o", "'": "",
})
ASCII_NAMES = {
    "أحمد المنصوري": "ahmed.mansouri", "فاطمة الزهراء": "fatima.zahra", "ليلى حداد": "layla.haddad",
    "عمر خليل": "omar.khalil", "يوسف النجار": "youssef.najjar",
    "Γιώργος Παπαδόπουλος": "g.papadopoulos", "Ελένη Κωνσταντίνου": "e.konstantinou",
    "Νίκος Αλεξίου": "n.alexiou", "Μαρία Γεωργίου": "m.georgiou",
}


def local_part(name):
    if name in ASCII_NAMES:
        return ASCII_NAMES[name]
    return name.lower().translate(TRANSLIT).replace(" ", ".")
