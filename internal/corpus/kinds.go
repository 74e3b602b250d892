package corpus

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
)

// language is an espeak-ng language with its voices and texts.
type language struct {
	voices   []string
	greet    []string // short human greetings (0.3–1.5 s)
	sentence []string // a person answering with a whole sentence (1.5–4 s)
	greeting []string // voicemail / IVR sentences
	announce []string // intercept announcements after a SIT
}

var languages = map[string]language{
	"en": {
		voices: []string{"en-us", "en-gb", "en-gb-scotland", "en-029", "en-us-nyc", "en-gb-x-rp"},
		sentence: []string{"Hello, this is John speaking, how can I help you?", "Good afternoon, Smith and Partners, Anna speaking.",
			"Hi, yes, this is Mark, who am I speaking with?", "Hello, you've got the front desk, what can I do for you?",
			"Yeah, hello, sorry, I was just in the garden.", "Good morning, accounts department, how may I help?"},
		greet: []string{"Hello?", "Hi.", "Yes?", "Hello.", "Yeah, hello?", "Hello, who's this?", "Hi, this is Mark.",
			"Good morning.", "Speaking.", "Hey!", "Hello, Jones residence.", "Yep?", "Hello there."},
		greeting: []string{"Hi, you've reached the voicemail of John Smith.", "I'm not available to take your call right now.",
			"Please leave your name, number and a brief message after the tone, and I'll get back to you as soon as possible.",
			"Thank you for calling Acme Incorporated.", "Our office hours are Monday through Friday, nine to five.",
			"If you know your party's extension, you may dial it at any time.", "The person you are trying to reach is not available.",
			"At the tone, please record your message.", "When you have finished recording, you may hang up or press pound for more options.",
			"Hey, it's Sarah, sorry I missed you.", "Leave me a message and have a great day."},
		announce: []string{"The number you have dialed is not in service. Please check the number and dial again.",
			"We're sorry, your call cannot be completed as dialed.", "All circuits are busy now. Please try your call again later."},
	},
	"es": {
		voices: []string{"es", "es-419"},
		sentence: []string{"Hola, habla Carlos, ¿en qué le puedo ayudar?", "Buenas tardes, oficina de ventas, le atiende Laura.",
			"Sí, dígame, ¿quién me llama, por favor?", "Hola, perdona, estaba en la cocina, ¿quién es?"},
		greet: []string{"¿Hola?", "¿Bueno?", "Diga.", "¿Sí?", "¿Aló?", "Hola, ¿quién habla?", "Buenas tardes.", "Dígame."},
		greeting: []string{"Hola, has llamado a María.", "En este momento no puedo atender tu llamada.",
			"Por favor deja tu nombre y tu número después del tono y te devolveré la llamada.", "Gracias por llamar a nuestra empresa.",
			"La persona que usted llama no está disponible.", "Grabe su mensaje después de la señal.",
			"Nuestro horario de atención es de lunes a viernes, de nueve a seis."},
		announce: []string{"El número que usted marcó no existe. Verifique el número e intente de nuevo.",
			"Su llamada no puede ser completada en este momento."},
	},
	"pt": {
		voices: []string{"pt-br", "pt"},
		sentence: []string{"Alô, aqui é o Pedro, com quem eu falo?", "Bom dia, escritório de contabilidade, Ana falando.",
			"Oi, tudo bem? Quem está falando, por favor?"},
		greet: []string{"Alô?", "Oi?", "Pois não?", "Alô, quem fala?", "Sim?", "Bom dia."},
		greeting: []string{"Olá, você ligou para o Carlos.", "No momento não posso atender.",
			"Deixe seu nome e telefone após o sinal que eu retorno assim que possível.", "Obrigado por ligar.",
			"Esta é a caixa postal do número que você chamou."},
		announce: []string{"O número chamado não existe. Verifique o número discado.", "Este telefone está desligado ou fora da área de cobertura."},
	},
	"fr": {
		voices:   []string{"fr-fr", "fr-be"},
		sentence: []string{"Allô, bonjour, c'est Marie, je vous écoute.", "Oui bonjour, cabinet Durand, que puis-je faire pour vous?"},
		greet:    []string{"Allô?", "Oui?", "Allô, j'écoute.", "Bonjour."},
		greeting: []string{"Bonjour, vous êtes bien sur la messagerie de Pierre.", "Je ne suis pas disponible pour le moment.", "Laissez-moi un message après le bip sonore.", "Merci de votre appel."},
		announce: []string{"Le numéro que vous avez demandé n'est pas attribué."},
	},
	"de": {
		voices:   []string{"de"},
		sentence: []string{"Hallo, hier ist Thomas Becker, wer spricht da bitte?", "Guten Tag, Firma Schneider, was kann ich für Sie tun?"},
		greet:    []string{"Hallo?", "Ja, bitte?", "Ja?"},
		greeting: []string{"Hallo, Sie sind mit dem Anschluss von Familie Müller verbunden.", "Wir sind im Moment nicht erreichbar.", "Bitte hinterlassen Sie eine Nachricht nach dem Signalton."},
		announce: []string{"Kein Anschluss unter dieser Nummer."},
	},
	"it": {
		voices:   []string{"it"},
		sentence: []string{"Pronto, sono Giulia, chi parla per favore?", "Buongiorno, studio Rossi, come posso aiutarla?"},
		greet:    []string{"Pronto?", "Sì?", "Pronto, chi parla?"},
		greeting: []string{"Ciao, hai chiamato Luca.", "Al momento non posso rispondere.", "Lascia un messaggio dopo il segnale acustico."},
		announce: []string{"Il numero selezionato è inesistente."},
	},
}

// heldOutLanguages are only used by the "heldout" voice set: languages,
// voices and texts the development corpus never uses, to measure how the
// detectors do on voices they were not tuned on.
var heldOutLanguages = map[string]language{
	"nl": {voices: []string{"nl"}, greet: []string{"Hallo?", "Ja?", "Met Jan.", "Goedemiddag."},
		greeting: []string{"Hallo, u spreekt met de voicemail van Peter.", "Ik ben momenteel niet bereikbaar.",
			"Laat een bericht achter na de piep, dan bel ik u zo snel mogelijk terug."},
		announce: []string{"Dit nummer is niet in gebruik."}},
	"sv": {voices: []string{"sv"}, greet: []string{"Hallå?", "Ja?", "Hej."},
		greeting: []string{"Hej, du har kommit till Annas röstbrevlåda.", "Jag kan inte svara just nu.", "Lämna ett meddelande efter tonen så ringer jag upp."},
		announce: []string{"Det nummer du har slagit saknar abonnent."}},
	"pl": {voices: []string{"pl"}, greet: []string{"Halo?", "Tak?", "Słucham?"},
		greeting: []string{"Dzień dobry, tu poczta głosowa Marka.", "Nie mogę teraz odebrać telefonu.", "Proszę zostawić wiadomość po sygnale."},
		announce: []string{"Nie ma takiego numeru."}},
	"ru": {voices: []string{"ru"}, greet: []string{"Алло?", "Да?", "Слушаю."},
		greeting: []string{"Здравствуйте, вы позвонили Ивану.", "Сейчас я не могу ответить на ваш звонок.", "Оставьте, пожалуйста, сообщение после сигнала."},
		announce: []string{"Номер, который вы набрали, не существует."}},
	"tr": {voices: []string{"tr"}, greet: []string{"Alo?", "Efendim?", "Evet?"},
		greeting: []string{"Merhaba, Ayşe'nin sesli mesaj kutusuna ulaştınız.", "Şu anda telefona cevap veremiyorum.", "Lütfen sinyal sesinden sonra mesajınızı bırakın."},
		announce: []string{"Aradığınız numara kullanılmamaktadır."}},
	"id": {voices: []string{"id"}, greet: []string{"Halo?", "Ya?", "Selamat siang."},
		greeting: []string{"Halo, Anda terhubung dengan kotak suara Budi.", "Saya sedang tidak bisa menerima telepon.", "Silakan tinggalkan pesan setelah nada berikut."},
		announce: []string{"Nomor yang Anda tuju tidak terdaftar."}},
}

// voiceSet is a choice of languages and espeak-ng variants.
type voiceSet struct {
	langs    map[string]language
	names    []string // languages in a fixed order, repeated for weight
	variants []string
	asterisk bool // Asterisk's recorded prompts may be used
	minSpeed int
	spread   int
}

// voiceSets: "dev" (the development corpus) and "heldout" (disjoint
// languages, variants and speeds, no Asterisk recordings).
var voiceSets = map[string]voiceSet{
	"dev": {langs: languages, names: []string{"en", "en", "en", "es", "es", "pt", "fr", "de", "it"},
		variants: []string{"", "+f1", "+f2", "+f3", "+f4", "+m1", "+m2", "+m3", "+m4", "+m5", "+m7"},
		asterisk: true, minSpeed: 140, spread: 61},
	"heldout": {langs: heldOutLanguages, names: []string{"nl", "sv", "pl", "ru", "tr", "id"},
		variants: []string{"+f5", "+m6", "+m8", "+klatt", "+klatt3", "+Annie", "+Andrea", "+david", "+linda", "+paul"},
		minSpeed: 125, spread: 96},
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + r.Float64()*(hi-lo) }

func (g *generator) randomVoice(r *rand.Rand) (string, voice) {
	vs := g.voices
	lang := pick(r, vs.names)
	l := vs.langs[lang]
	return lang, voice{name: pick(r, l.voices) + pick(r, vs.variants), speed: vs.minSpeed + r.IntN(vs.spread), pitch: 25 + r.IntN(51)}
}

// maxGreetMs is the longest human greeting the corpus makes.
const maxGreetMs = 1500

// shortWord renders one human greeting of at most maxGreetMs.
func (g *generator) shortWord(ctx context.Context, r *rand.Rand, lang string, v voice) ([]float32, string, error) {
	var x []float32
	var text string
	for try := 0; try < 6; try++ {
		text = pick(r, g.voices.langs[lang].greet)
		if try >= 3 {
			text = g.voices.langs[lang].greet[0] // the shortest, "Hello?"
		}
		var err error
		if x, err = g.src.speak(ctx, v, text); err != nil {
			return nil, "", err
		}
		if len(x) <= msToN(maxGreetMs) {
			break
		}
	}
	if len(x) > msToN(maxGreetMs) { // still too long at this speed: cut the tail like a clipped answer
		x = x[:msToN(maxGreetMs)]
		ramp(x, msToN(20))
	}
	return x, text, nil
}

// Human sentence lengths: a person answering with a whole sentence speaks
// for 1.5–4 s, then waits (pattern 1 of the held-out findings: a decision
// on speech length alone calls them MACHINE).
const (
	minSentenceMs = 1500
	maxSentenceMs = 4000
)

// sentence renders one human sentence of at most maxSentenceMs.
func (g *generator) sentence(ctx context.Context, r *rand.Rand, lang string, v voice) ([]float32, string, error) {
	texts := g.voices.langs[lang].sentence
	if len(texts) == 0 {
		return g.shortWord(ctx, r, lang, v)
	}
	var x []float32
	var text string
	for try := 0; try < 4; try++ {
		text = pick(r, texts)
		var err error
		if x, err = g.src.speak(ctx, v, text); err != nil {
			return nil, "", err
		}
		if len(x) <= msToN(maxSentenceMs) {
			break
		}
	}
	if len(x) > msToN(maxSentenceMs) { // a slow voice: the person stops there
		x = x[:msToN(maxSentenceMs)]
		ramp(x, msToN(20))
	}
	return x, text, nil
}

// humanStyles: how a person answers, with weights out of 100.
var humanStyles = []struct {
	name   string
	weight int
}{{"single", 36}, {"two-words", 14}, {"repeat", 10}, {"sentence", 25}, {"word+sentence", 15}}

func pickStyle(r *rand.Rand) string {
	n := r.IntN(100)
	for _, s := range humanStyles {
		if n < s.weight {
			return s.name
		}
		n -= s.weight
	}
	return humanStyles[0].name
}

// humanInitialSilence: most people speak 0.15–2 s after picking up, some
// 2–3.5 s later (a late answer is not SILENCE).
func humanInitialSilence(r *rand.Rand) (float64, bool) {
	if r.Float64() < 0.15 {
		return uniform(r, 2000, 3500), true
	}
	return uniform(r, 150, 2000), false
}

// human: initial silence, then a short greeting (sometimes two quick words,
// or "Hello? … Hello?"), a whole sentence, or a word then a sentence; then
// the person waits in silence.
func (g *generator) human(ctx context.Context, r *rand.Rand) (*built, error) {
	b := &built{label: Label{Label: LabelHuman}, gsmOK: true, ringbOK: true, talkOK: true}
	lang, v := g.randomVoice(r)
	style := pickStyle(r)
	level := uniform(r, -23, -17)
	var first []float32
	var desc string
	if g.voices.asterisk && (style == "single" || style == "repeat") && r.Float64() < 0.35 {
		clip, err := g.src.asteriskClip("en/hello")
		if err != nil {
			return nil, err
		}
		first, desc, lang = append([]float32(nil), clip...), "asterisk=en/hello", ""
	} else {
		say := g.shortWord
		if style == "sentence" {
			say = g.sentence
		}
		x, text, err := say(ctx, r, lang, v)
		if err != nil {
			return nil, err
		}
		first, desc = x, fmt.Sprintf("voice=%s text=%q", v, text)
	}
	setLevel(first, level)
	init, late := humanInitialSilence(r)
	parts := [][]float32{silence(init), first}
	pattern := style
	switch style {
	case "two-words", "repeat", "word+sentence":
		second := first
		if lang != "" {
			say := g.shortWord
			if style == "word+sentence" {
				say = g.sentence
			}
			x, _, err := say(ctx, r, lang, v)
			if err != nil {
				return nil, err
			}
			second = x
			setLevel(second, level+uniform(r, -2, 2))
		}
		gap := uniform(r, 200, 600)
		switch style {
		case "repeat":
			gap = uniform(r, 1000, 2500)
		case "word+sentence":
			gap = uniform(r, 250, 900)
		}
		if style != "two-words" || len(first)+len(second) <= msToN(maxGreetMs) {
			parts = append(parts, silence(gap), second)
			pattern = fmt.Sprintf("%s gap=%.0f", style, gap)
		} else {
			pattern = "single"
		}
	}
	parts = append(parts, silence(uniform(r, 3000, 5000)))
	b.x = concat(parts...)
	b.refRMS = activeRMS(first)
	speech := 0
	for _, p := range parts[1 : len(parts)-1] {
		speech += len(p)
	}
	b.notes = append(b.notes, desc, fmt.Sprintf("init=%.0f", init), "pattern="+pattern,
		fmt.Sprintf("speech_ms=%d", speech*1000/rate))
	if late {
		b.notes = append(b.notes, "late=yes")
	}
	return b, nil
}

// beepFreqs are common voicemail beep frequencies; half the beeps use one,
// the rest any frequency in 300–3400 Hz away from fax/modem tones.
var beepFreqs = []float64{440, 480, 500, 600, 720, 800, 850, 950, 1000, 1200, 1400, 1500, 2000}

func randomBeepFreq(r *rand.Rand) float64 {
	if r.IntN(2) == 0 {
		return pick(r, beepFreqs)
	}
	for {
		f := math.Round(uniform(r, 300, 3400))
		if math.Abs(f-1100) > 60 && math.Abs(f-2100) > 60 && math.Abs(f-2225) > 40 &&
			(f < 1600 || f > 1900) { // V.21 band and the SIT 1776.7/1800 tones
			return f
		}
	}
}

// machine: a long greeting (3–15 s of phrases with pauses of 0.12–1.3 s), with a
// beep after it in 60 % of the files.
func (g *generator) machine(ctx context.Context, r *rand.Rand) (*built, error) {
	b := &built{label: Label{Label: LabelMachine}, gsmOK: true, ringbOK: true, talkOK: true}
	target := msToN(uniform(r, 3000, 15000))
	level := uniform(r, -23, -17)
	init := uniform(r, 100, 1500)
	parts := [][]float32{silence(init)}
	var greeting []float32
	var desc string
	useEspeak := r.Float64() < 0.55 || !g.voices.asterisk
	lang, v := g.randomVoice(r)
	astLang := pick(r, []string{"en", "en", "es"})
	if useEspeak {
		desc = "voice=" + v.String()
	} else {
		desc = "asterisk=" + astLang
	}
	n := 0
	for n < target {
		var phrase []float32
		var err error
		if useEspeak {
			phrase, err = g.src.speak(ctx, v, pick(r, g.voices.langs[lang].greeting))
		} else {
			phrase, err = g.src.asteriskClip(astLang + "/" + pick(r, g.prompts[astLang]))
		}
		if err != nil {
			return nil, err
		}
		if len(greeting) > 0 {
			gap := silence(uniform(r, 120, 1300)) // up to 1.3 s between phrases
			greeting = append(greeting, gap...)
		}
		greeting = append(greeting, phrase...)
		n = len(greeting)
	}
	setLevel(greeting, level)
	parts = append(parts, greeting)
	b.refRMS = activeRMS(greeting)
	b.minSNR = 0
	if r.Float64() < 0.6 {
		hz := randomBeepFreq(r)
		dur := math.Exp(uniform(r, math.Log(70), math.Log(1500)))
		lvl := level + uniform(r, -6, 3) + 3.17 // sine RMS in dBFS → dBm0
		parts = append(parts, silence(uniform(r, 100, 700)), tone(dur, lvl, hz))
		b.label.BeepHz = hz
		b.minSNR = 15 // the beep goal is defined at ≥ 15 dB SNR after G.711
		b.gsmOK = false
		b.notes = append(b.notes, fmt.Sprintf("beep=%.0fHz/%.0fms/%.1fdBm0", hz, dur, lvl))
	}
	parts = append(parts, silence(uniform(r, 800, 2500)))
	b.x = concat(parts...)
	b.notes = append([]string{desc, fmt.Sprintf("init=%.0f greeting=%dms", init, len(greeting)/8)}, b.notes...)
	return b, nil
}

var faxSignals = []string{"CNG", "CED", "ANS_PR", "ANSAM", "V21", "BELL2225"}

// fax: the answer or calling signal of a fax machine or modem.
func (g *generator) fax(r *rand.Rand, signal string) *built {
	b := &built{label: Label{Label: LabelFax, Signal: signal}, ringbOK: true, minSNR: 10}
	lvl := uniform(r, -30, -9)
	init := uniform(r, 200, 2500)
	var sig []float32
	desc := ""
	switch signal {
	case "CNG": // 1100 Hz, 0.5 s on, 3 s off
		f := 1100 + uniform(r, -25, 25)
		bursts := 2 + r.IntN(2)
		for i := 0; i < bursts; i++ {
			sig = concat(sig, tone(uniform(r, 480, 560), lvl, f), silence(3000))
		}
		desc = fmt.Sprintf("cng=%.0fHz×%d", f, bursts)
	case "CED": // 2100 Hz 2.6–4 s, sometimes followed by the V.21 preamble
		f := 2100 + uniform(r, -10, 10)
		d := uniform(r, 2600, 4000)
		sig = tone(d, lvl, f)
		desc = fmt.Sprintf("ced=%.0fHz/%.0fms", f, d)
		if r.IntN(2) == 0 {
			sig = concat(sig, silence(75), v21Flags(1000, lvl, 0, r))
			desc += "+v21"
		}
	case "ANS_PR":
		d := uniform(r, 2600, 4000)
		rev := 450 + uniform(r, -20, 20)
		sig = ansPR(d, lvl, 2100+uniform(r, -10, 10), rev)
		desc = fmt.Sprintf("ans_pr=%.0fms/rev%.0f", d, rev)
	case "ANSAM":
		d := uniform(r, 3000, 5000)
		sig = ansam(d, lvl, 2100+uniform(r, -10, 10))
		desc = fmt.Sprintf("ansam=%.0fms", d)
	case "V21":
		d := uniform(r, 1000, 2000)
		sig = v21Flags(d, lvl, 40, r)
		desc = fmt.Sprintf("v21=%.0fms", d)
	default: // BELL2225
		d := uniform(r, 2000, 3500)
		sig = tone(d, lvl, 2225+uniform(r, -5, 5))
		desc = fmt.Sprintf("bell=%.0fms", d)
	}
	b.x = concat(silence(init), sig, silence(uniform(r, 1000, 2000)))
	b.refRMS = dBm0Peak(lvl) / math.Sqrt2
	b.notes = append(b.notes, desc, fmt.Sprintf("init=%.0f level=%.1fdBm0", init, lvl))
	return b
}

// sitItem: a SIT then the carrier's announcement.
func (g *generator) sitItem(ctx context.Context, r *rand.Rand, code string) (*built, error) {
	b := &built{label: Label{Label: LabelSIT, Code: code}, ringbOK: true, minSNR: 15}
	lvl := uniform(r, -27, -21)
	init := uniform(r, 100, 1500)
	tones := sit(code, lvl, r)
	var ann []float32
	var desc string
	lang := pick(r, []string{"en", "en", "es", "pt"})
	if !g.voices.asterisk {
		lang, _ = g.randomVoice(r)
	}
	if asts := g.announce[lang]; g.voices.asterisk && len(asts) > 0 && r.IntN(2) == 0 {
		name := pick(r, asts)
		clip, err := g.src.asteriskClip(lang + "/" + name)
		if err != nil {
			return nil, err
		}
		ann, desc = append([]float32(nil), clip...), "asterisk="+lang+"/"+name
	} else {
		l := g.voices.langs[lang]
		v := voice{name: pick(r, l.voices) + pick(r, g.voices.variants), speed: 150 + r.IntN(31), pitch: 40 + r.IntN(21)}
		x, err := g.src.speak(ctx, v, pick(r, l.announce))
		if err != nil {
			return nil, err
		}
		ann, desc = x, "voice="+v.String()
	}
	// The announcement is about 2 dB above the SIT.
	setLevel(ann, lvl-3.17+2)
	b.x = concat(silence(init), tones, silence(uniform(r, 0, 300)), ann, silence(1000))
	b.refRMS = dBm0Peak(lvl) / math.Sqrt2
	b.notes = append(b.notes, desc, fmt.Sprintf("init=%.0f sit=%.1fdBm0", init, lvl))
	return b, nil
}

// silenceItem: nobody speaks: digital silence, line hiss or hum.
func (g *generator) silenceItem(r *rand.Rand) *built {
	b := &built{label: Label{Label: LabelSilence}, gsmOK: true}
	n := msToN(uniform(r, 5000, 8000))
	switch r.IntN(4) {
	case 0:
		b.x = make([]float32, n)
		b.notes = append(b.notes, "digital-silence")
	case 1: // mains hum with harmonics, below the telephone band mostly
		b.x = tone(float64(n)/8, uniform(r, -55, -40), 60, 120, 180)
		b.notes = append(b.notes, "hum")
	default:
		dbm0 := uniform(r, -70, -50)
		b.x = gaussNoise(n, dBm0Peak(dbm0)/math.Sqrt2, r.IntN(2) == 0, r)
		b.notes = append(b.notes, fmt.Sprintf("hiss=%.0fdBm0", dbm0))
	}
	return b
}
