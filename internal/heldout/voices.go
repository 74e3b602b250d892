package heldout

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os/exec"
)

// language is an espeak-ng language (or accent) with its texts.
type language struct {
	voices   []string // espeak-ng voice names
	greet    []string // short human answers (one or two words)
	sentence []string // a human answering with a longer sentence
	greeting []string // voicemail phrases
	short    []string // a whole short voicemail greeting ("Leave a message.")
	announce []string // intercept announcements after a SIT
}

// languages of the held-out corpus. None of them is in the development
// corpus (en, es, pt, fr, de, it) nor in its "heldout" voice set (nl, sv,
// pl, ru, tr, id), except the "en-x", "fr-x" and "pt-x" accents, which
// render the answers the issue names ("Hello?", "Oui allô ?", "Alô ?") with
// dialects, variants, speeds and pitches the development corpus does not use.
var languages = map[string]language{
	"hi": {voices: []string{"hi"}, greet: []string{"हैलो?", "हाँ जी?", "हाँ, बोलिए?", "जी?"},
		sentence: []string{"हैलो, मैं राहुल बोल रहा हूँ, बताइए क्या काम है?", "हाँ जी, नमस्ते, आप कौन बोल रहे हैं?"},
		greeting: []string{"नमस्ते, आपने सुनील को फ़ोन किया है।", "मैं अभी फ़ोन नहीं उठा सकता।", "कृपया बीप के बाद अपना नाम और नंबर छोड़ें।", "मैं जल्द ही आपको वापस फ़ोन करूँगा, धन्यवाद।"},
		short:    []string{"संदेश छोड़ें।"}, announce: []string{"आपके द्वारा डायल किया गया नंबर मौजूद नहीं है।"}},
	"cs": {voices: []string{"cs"}, greet: []string{"Haló?", "Ano?", "Prosím?", "Novák."},
		sentence: []string{"Dobrý den, tady Novák, co pro vás můžu udělat?", "Haló, kdo volá, prosím?"},
		greeting: []string{"Dobrý den, dovolali jste se do hlasové schránky Petra.", "Momentálně nemohu přijmout váš hovor.", "Zanechte prosím vzkaz po zaznění tónu.", "Ozvu se vám co nejdříve."},
		short:    []string{"Zanechte vzkaz."}, announce: []string{"Volané číslo neexistuje."}},
	"hu": {voices: []string{"hu"}, greet: []string{"Halló?", "Igen?", "Tessék?"},
		sentence: []string{"Halló, itt Kovács Péter beszél, miben segíthetek?", "Igen, tessék, ki az?"},
		greeting: []string{"Üdvözlöm, ez Anna hangpostája.", "Jelenleg nem tudom fogadni a hívását.", "Kérem, hagyjon üzenetet a sípszó után.", "Amint tudom, visszahívom."},
		short:    []string{"Hagyjon üzenetet."}, announce: []string{"A hívott szám nem létezik."}},
	"ro": {voices: []string{"ro"}, greet: []string{"Alo?", "Da?", "Alo, cine e?"},
		sentence: []string{"Alo, sunt Andrei, cu ce vă pot ajuta?", "Da, alo, cine la telefon?"},
		greeting: []string{"Bună ziua, ați sunat la căsuța vocală a lui Mihai.", "Nu pot răspunde acum.", "Vă rog lăsați un mesaj după semnalul sonor.", "Vă voi suna înapoi cât mai curând."},
		short:    []string{"Lăsați un mesaj."}, announce: []string{"Numărul format nu există."}},
	"el": {voices: []string{"el"}, greet: []string{"Εμπρός;", "Ναι;", "Παρακαλώ;"},
		sentence: []string{"Εμπρός, ο Γιώργος είμαι, πώς μπορώ να βοηθήσω;", "Ναι, παρακαλώ, ποιος είναι;"},
		greeting: []string{"Γεια σας, καλέσατε τον τηλεφωνητή της Μαρίας.", "Δεν μπορώ να απαντήσω αυτή τη στιγμή.", "Αφήστε μήνυμα μετά τον χαρακτηριστικό ήχο."},
		short:    []string{"Αφήστε μήνυμα."}, announce: []string{"Ο αριθμός που καλέσατε δεν υπάρχει."}},
	"fi": {voices: []string{"fi"}, greet: []string{"Haloo?", "Niin?", "Virtanen."},
		sentence: []string{"Hei, täällä Matti Virtanen, miten voin auttaa?"},
		greeting: []string{"Hei, olet soittanut Liisan vastaajaan.", "En pysty vastaamaan juuri nyt.", "Jätä viesti äänimerkin jälkeen, niin soitan takaisin."},
		short:    []string{"Jätä viesti."}, announce: []string{"Valitsemaasi numeroa ei ole olemassa."}},
	"da": {voices: []string{"da"}, greet: []string{"Hallo?", "Ja?", "Det er Jens."},
		sentence: []string{"Hej, det er Jens Hansen, hvad kan jeg hjælpe med?"},
		greeting: []string{"Hej, du har ringet til Mettes telefonsvarer.", "Jeg kan ikke tage telefonen lige nu.", "Læg en besked efter tonen, så ringer jeg tilbage."},
		short:    []string{"Læg en besked."}, announce: []string{"Nummeret eksisterer ikke."}},
	"nb": {voices: []string{"nb"}, greet: []string{"Hallo?", "Ja?", "Hei, det er Ola."},
		sentence: []string{"Hei, det er Ola Nordmann, hva gjelder det?"},
		greeting: []string{"Hei, du har kommet til Kari sin telefonsvarer.", "Jeg kan ikke ta telefonen akkurat nå.", "Legg igjen en beskjed etter pipetonen."},
		short:    []string{"Legg igjen en beskjed."}, announce: []string{"Nummeret du har ringt er ikke i bruk."}},
	"hr": {voices: []string{"hr"}, greet: []string{"Halo?", "Molim?", "Da?"},
		sentence: []string{"Halo, ovdje Ivan Horvat, izvolite, recite?"},
		greeting: []string{"Dobar dan, dobili ste govornu poštu Ane.", "Trenutno se ne mogu javiti.", "Ostavite poruku nakon zvučnog signala."},
		short:    []string{"Ostavite poruku."}, announce: []string{"Birani broj ne postoji."}},
	"uk": {voices: []string{"uk"}, greet: []string{"Алло?", "Так?", "Слухаю."},
		sentence: []string{"Алло, це Олександр, чим можу допомогти?"},
		greeting: []string{"Добрий день, ви зателефонували Олені.", "Зараз я не можу відповісти на ваш дзвінок.", "Залиште, будь ласка, повідомлення після сигналу."},
		short:    []string{"Залиште повідомлення."}, announce: []string{"Номер, який ви набрали, не існує."}},
	"vi": {voices: []string{"vi"}, greet: []string{"A lô?", "Vâng?", "A lô, ai đấy?"},
		sentence: []string{"A lô, tôi là Minh đây, anh cần gì ạ?"},
		greeting: []string{"Xin chào, bạn đã gọi đến hộp thư thoại của Lan.", "Hiện tôi không thể nghe máy.", "Vui lòng để lại lời nhắn sau tiếng bíp."},
		short:    []string{"Xin để lại lời nhắn."}, announce: []string{"Số máy quý khách vừa gọi không tồn tại."}},
	"ca": {voices: []string{"ca"}, greet: []string{"Digui?", "Sí?", "Hola, qui és?"},
		sentence: []string{"Hola, sóc en Jordi, en què et puc ajudar?"},
		greeting: []string{"Hola, has trucat a la bústia de veu de la Marta.", "Ara no puc atendre la trucada.", "Deixa un missatge després del senyal, si us plau."},
		short:    []string{"Deixa un missatge."}, announce: []string{"El número que ha marcat no existeix."}},
	"sw": {voices: []string{"sw"}, greet: []string{"Halo?", "Ndiyo?", "Halo, nani?"},
		sentence: []string{"Halo, mimi ni Juma, nikusaidie nini?"},
		greeting: []string{"Habari, umefika kwenye ujumbe wa sauti wa Juma.", "Siwezi kupokea simu sasa hivi.", "Tafadhali acha ujumbe baada ya mlio."},
		short:    []string{"Acha ujumbe."}, announce: []string{"Namba uliyopiga haipo."}},
	// Accents: the example answers, in voices the development
	// corpus never uses.
	"en-x": {voices: []string{"en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-us"},
		greet:    []string{"Hello?", "Yes?", "Hello, who is this?", "Yeah?", "Hi, hello?"},
		sentence: []string{"Hello, this is John speaking, how can I help you?", "Hello? Yes, this is she, who's calling please?", "Good afternoon, Peterson's, Mary speaking."},
		greeting: []string{"You have reached the voice mailbox of extension four two seven.", "Sorry we missed your call.", "Please leave a detailed message including your phone number.", "We will return your call within one business day.", "Press one to leave a callback number."},
		short:    []string{"Leave a message.", "Please leave a message.", "Not here, leave a message."},
		announce: []string{"The number you have reached has been disconnected.", "This number is no longer in service."}},
	"fr-x": {voices: []string{"fr-ch"}, greet: []string{"Oui allô?", "Allô?", "Oui?"},
		sentence: []string{"Oui allô, c'est Marc à l'appareil, je vous écoute."},
		greeting: []string{"Vous êtes bien chez Sophie et Marc.", "Nous sommes absents pour le moment.", "Laissez-nous votre message après le signal sonore."},
		short:    []string{"Laissez un message."}, announce: []string{"Le numéro de votre correspondant n'est plus en service."}},
	"pt-x": {voices: []string{"pt-br"}, greet: []string{"Alô?", "Alô, oi?", "Fala."},
		sentence: []string{"Alô, aqui é o João, quem está falando?"},
		greeting: []string{"Oi, aqui é a Fernanda.", "Agora não posso atender.", "Deixe seu recado depois do bipe."},
		short:    []string{"Deixe seu recado."}, announce: []string{"Este número de telefone não existe."}},
}

// languageOrder fixes the draw order (maps iterate randomly); accents are
// listed twice so the example answers are well represented.
var languageOrder = []string{"hi", "cs", "hu", "ro", "el", "fi", "da", "nb", "hr", "uk", "vi", "ca", "sw",
	"en-x", "en-x", "fr-x", "pt-x"}

// variants: espeak-ng voice variants. The m/f numbers the development
// corpus also uses appear here only with speeds and pitches outside its
// ranges (it uses 140–200 wpm, pitch 25–75); the named variants are new.
var variants = []string{"+m1", "+m2", "+m3", "+m4", "+m5", "+m6", "+m7", "+f1", "+f2", "+f3", "+f4",
	"+Alicia", "+Andy", "+Gene", "+Storm", "+michel", "+Mario", "+steph", "+zac", "+Jacky", "+Lee", "+max", "+iven", "+robert"}

// voice is one espeak-ng rendering setup.
type voice struct {
	lang  string
	name  string // espeak-ng -v
	speed int    // words per minute
	pitch int    // 0..99
	amp   int    // espeak-ng -a (0..200)
}

func (v voice) String() string { return fmt.Sprintf("%s/s%d/p%d/a%d", v.name, v.speed, v.pitch, v.amp) }

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + r.Float64()*(hi-lo) }

// randomVoice draws a language and a voice: speed 105–139 or 201–245 wpm,
// pitch 5–24 or 76–95 (outside the development ranges), amplitude 60–180.
func randomVoice(r *rand.Rand) voice {
	lang := pick(r, languageOrder)
	l := languages[lang]
	speed := 105 + r.IntN(35)
	if r.IntN(2) == 0 {
		speed = 201 + r.IntN(45)
	}
	pitch := 5 + r.IntN(20)
	if r.IntN(2) == 0 {
		pitch = 76 + r.IntN(20)
	}
	return voice{lang: lang, name: pick(r, l.voices) + pick(r, variants), speed: speed, pitch: pitch, amp: 60 + r.IntN(121)}
}

// speak renders text with espeak-ng and converts it to 8 kHz with sox (no
// dither, so the output is deterministic), trimmed of leading/trailing
// silence.
func (g *generator) speak(ctx context.Context, v voice, text string) ([]float32, error) {
	cmd := exec.CommandContext(ctx, g.espeak, "-v", v.name, "-s", fmt.Sprint(v.speed), "-p", fmt.Sprint(v.pitch),
		"-a", fmt.Sprint(v.amp), "--stdout", text)
	wav, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("heldout: espeak-ng -v %s %q: %w", v.name, text, err)
	}
	raw, err := g.runSox(ctx, wav, "-D", "-t", "wav", "-", "-t", "raw", "-e", "signed-integer", "-b", "16", "-r", "8000", "-c", "1", "-")
	if err != nil {
		return nil, err
	}
	x := make([]float32, len(raw)/2)
	for i := range x {
		x[i] = float32(int16(binary.LittleEndian.Uint16(raw[2*i:])))
	}
	x = trimQuiet(x)
	if len(x) == 0 {
		return nil, fmt.Errorf("heldout: espeak-ng -v %s %q: rendered no speech", v.name, text)
	}
	return x, nil
}
