/**
 * Descriptions about how an image was made and how it feels: style, viewpoint, era, quality, mood.
 * Written for this project (American spelling, see visual.ts).
 *
 * Where a frame only suits some subjects ("a rear view of …", "Wild West …"), each frame lists the
 * subjects it is used with, so no line pairs a frame with a subject it does not fit.
 */
import { fill, withArticle, withSubjects } from '../compose.ts';

/** One frame with the subjects it suits: ['a rear view of {}', 'a car', 'a horse']. */
type FramedSubjects = readonly [frame: string, ...subjects: string[]];

function expandFramed(entries: readonly FramedSubjects[]): string[] {
  return entries.flatMap(([frame, ...subjects]) => subjects.map((subject) => fixArticle(fill(frame, subject))));
}

/** "a ancient city" → "an ancient city" after a frame was filled. */
function fixArticle(line: string): string {
  return /^an? /.test(line) ? withArticle(line.replace(/^an? /, '')) : line;
}

/** Plain subjects for 2D picture styles, chosen to carry no strong property of their own. */
const PICTURE_SUBJECTS = [
  'a house', 'a tree', 'a woman', 'a city', 'a ship', 'a bowl of fruit', 'a horse', 'mountains',
  'a face', 'flowers', 'a street', 'a cat', 'a bridge', 'an old man', 'a lighthouse', 'a garden',
  'a dog', 'a river', 'a church', 'a girl', 'a forest', 'a village', 'a car', 'a bird',
];

/** Painting, drawing and print styles that can show anything. */
const PICTURE_STYLES = [
  'a watercolor painting', 'an oil painting', 'a pencil sketch', 'a charcoal drawing', 'an ink drawing',
  'pixel art', 'a 3D render', 'a cartoon', 'an anime illustration', 'a comic book panel',
  'an impressionist painting', 'a cubist painting', 'a surrealist painting', 'a pop art print',
  'an art nouveau poster', 'an art deco poster', 'a Japanese woodblock print', 'a linocut print',
  'an embroidery', 'a stained glass window', 'a low poly model', 'a vector illustration',
  "a child's crayon drawing", 'an oil pastel drawing', 'a gouache painting', 'an acrylic painting',
  'a paper collage', 'a chalk drawing', 'a flat design illustration', 'a line drawing',
  'a stippled drawing', 'a pointillist painting', 'an abstract painting', 'a minimalist poster',
  'a Bauhaus poster', 'a vaporwave image', 'a cyberpunk digital painting', 'a steampunk illustration',
  'an isometric illustration', "a children's book illustration", 'a fresco', 'a Chinese ink wash painting',
  'a Persian miniature', 'a folk art painting', 'a mural', 'a graffiti mural', 'a mosaic', 'a woodcut',
  'an etching', 'a video game screenshot', 'a concept art painting', 'a storybook illustration',
  'a coloring book page', 'a digital painting', 'a paper cutout', 'a silhouette cutout',
];

const STYLE_SPECIFIC: readonly FramedSubjects[] = [
  ['a claymation figure of {}', 'a dog', 'an old man'],
  ['a botanical illustration of {}', 'a fern', 'a wild rose'],
  ['a blueprint of {}', 'a house', 'an engine'],
  ['a technical drawing of {}', 'a bicycle', 'a gear'],
  ['a marble sculpture of {}', 'a woman', 'a lion'],
  ['a bronze statue of {}', 'a horse rider', 'a general'],
  ['a knitted toy {}', 'rabbit', 'bear'],
  ['a sand sculpture of {}', 'a castle', 'a dragon'],
  ['an ice sculpture of {}', 'a swan', 'an eagle'],
  ['a tattoo design of {}', 'a rose', 'a snake'],
  ['a lego model of {}', 'a castle', 'a spaceship'],
  ['a cave painting of {}', 'bison', 'hunters'],
  ['an illuminated manuscript with {}', 'a dragon', 'a saint'],
  ['a caricature of {}', 'a politician', 'a famous singer'],
  ['an emoji of {}', 'a smiling face', 'a thumbs up'],
  ['a clay model of {}', 'a dinosaur', 'a snowman'],
];

const STYLE_LINES = [
  'a painting with thick brushstrokes', 'a drawing made of simple lines', 'a hyperrealistic painting',
  'a photorealistic CGI image', 'an illustration with flat colors', 'a retro pixelated sprite',
  'a hand-drawn doodle', 'an abstract splatter painting', 'an old master portrait painting',
  'a poster with bold graphic shapes', 'a sketchbook page', 'a cel-shaded animation still',
  'a screen print with halftone dots', 'a wireframe render', 'an architectural rendering',
  'a neon light sculpture', 'an origami crane', 'a papier-mache mask',
];

const VIEWS: readonly FramedSubjects[] = [
  ['an aerial view of {}', 'a city', 'a farm', 'a winding river'],
  ["a bird's-eye view of {}", 'a crowd', 'a town square', 'a roundabout'],
  ['a drone shot of {}', 'a coastline', 'a forest', 'a stadium'],
  ['a low-angle shot of {}', 'a skyscraper', 'a statue', 'a basketball player'],
  ['a high-angle shot of {}', 'a street corner', 'a busy market', 'a child'],
  ['an extreme close-up of {}', 'an eye', 'a fingertip', 'a watch face'],
  ['a wide-angle shot of {}', 'a cathedral interior', 'a small room', 'a valley'],
  ['a fisheye view of {}', 'a skate park', 'a dog', 'a concert crowd'],
  ['a panorama of {}', 'a harbor', 'a mountain range', 'a city skyline'],
  ['a telephoto shot of {}', 'a distant bird', 'the moon', 'a sprinter'],
  ['a side view of {}', 'a car', 'a horse', 'a runner'],
  ['a rear view of {}', 'a car', 'a woman walking', 'a train leaving'],
  ['a front view of {}', 'a house', 'a truck', 'a face'],
  ['a top-down view of {}', 'a dinner table', 'a desk', 'a swimming pool'],
  ['{} seen through a window', 'a garden', 'a rainy street', 'a city'],
  ['{} reflected in a mirror', 'a woman', 'a bathroom', 'a room'],
  ['{} seen through a fence', 'a playground', 'a soccer field', 'a dog'],
  ['a tilt-shift photo of {}', 'a town', 'a railway', 'a harbor'],
  ['{} framed in a doorway', 'a person', 'a garden', 'a cat'],
  ['a distant view of {}', 'a castle', 'a lighthouse', 'a farmhouse'],
  ["a worm's-eye view of {}", 'tall trees', 'a tower', 'a person jumping'],
  ['{} seen through binoculars', 'a ship', 'a deer', 'a bird'],
  ['{} seen through a car window', 'a field', 'a city street', 'a mountain'],
  ['{} viewed from a rooftop', 'a busy street', 'a park', 'a parking lot'],
  ['{} viewed from an airplane window', 'clouds', 'a wing', 'farmland'],
  ['{} with a blurred background', 'a flower', 'a portrait', 'a coffee cup'],
  ['a symmetrical shot of {}', 'a hallway', 'a bridge', 'a palace'],
  ['{} centered in the frame', 'a single tree', 'a door', 'a person'],
  ['{} small in the corner of the frame', 'a boat', 'a hiker', 'a house'],
  ['an over-the-shoulder shot of {}', 'a laptop screen', 'a painter', 'a map'],
];

const VIEWPOINT_LINES = [
  "a selfie taken at arm's length", 'a point-of-view shot of hands', 'a photo looking straight up',
  'a photo looking straight down', 'a shallow depth of field', 'a tiny figure in a vast landscape',
  'a subject filling the whole frame', 'a photo taken from the ground', 'a view through a keyhole',
  'a photo taken from inside a car', 'a view from the top of a tower', 'a photo framed by tree branches',
  'an off-center composition', 'a view from under a table', 'a view along a long corridor',
  'a dashcam view of the road', 'a first-person view from a bike', 'a panoramic landscape view',
  'a macro photo of a tiny detail', 'an overhead shot of a desk', 'an underwater view looking up',
  'a close-up of a face', 'a full-body shot of a person', 'a long shot of an empty road',
];

const DECADES = ['1900s', '1910s', '1920s', '1930s', '1940s', '1950s', '1960s', '1970s', '1980s', '1990s', '2000s'];
const DECADE_FRAMES = [
  'a {} street scene', '{} fashion', 'a {} living room', 'a {} kitchen', 'a {} car',
  'a {} family photo', 'a {} advertisement', 'a {} hairstyle', 'a {} storefront', 'a {} wedding',
];

/** Each decade with six of the ten frames, starting one further along each time. */
function decadeLines(): string[] {
  return DECADES.flatMap((decade, i) =>
    Array.from({ length: 6 }, (_, j) => fill(DECADE_FRAMES[(i + j) % DECADE_FRAMES.length], decade)),
  );
}

const PERIODS: readonly FramedSubjects[] = [
  ['ancient Egyptian {}', 'tomb paintings', 'jewelry', 'temple ruins'],
  ['ancient Greek {}', 'temple ruins', 'pottery', 'statues'],
  ['ancient Roman {}', 'ruins', 'soldiers', 'mosaics'],
  ['a medieval {}', 'castle', 'village', 'market'],
  ['Renaissance {}', 'architecture', 'clothing', 'palaces'],
  ['a Victorian {}', 'house', 'parlor', 'street'],
  ['a Viking {}', 'longship', 'helmet', 'village'],
  ['Stone Age {}', 'tools', 'hunters', 'dwellings'],
  ['a Wild West {}', 'saloon', 'town', 'sheriff'],
  ['Edo period {}', 'townhouses', 'clothing', 'woodwork'],
  ['a Ming dynasty {}', 'vase', 'palace', 'scroll'],
  ['an Aztec {}', 'temple', 'calendar stone', 'warrior'],
  ['a Mayan {}', 'pyramid', 'carving', 'city'],
  ['a Byzantine {}', 'church', 'mosaic', 'icon'],
  ['an Ottoman {}', 'palace', 'bathhouse', 'carpet'],
  ['Edwardian {}', 'fashion', 'houses', 'tea rooms'],
  ['a colonial {}', 'town', 'house', 'soldier'],
  ['an Industrial Revolution {}', 'factory', 'mill town', 'steam engine'],
  ['a World War I {}', 'trench', 'soldier', 'biplane'],
  ['a World War II {}', 'tank', 'bomber', 'poster'],
  ['a Cold War {}', 'bunker', 'spy camera', 'missile'],
  ['a futuristic {}', 'city', 'car', 'kitchen'],
  ['a post-apocalyptic {}', 'city', 'highway', 'survivor'],
  ['a prehistoric {}', 'landscape', 'cave', 'campfire'],
  ['Bronze Age {}', 'weapons', 'tools', 'burial mounds'],
  ['a Tudor {}', 'house', 'banquet', 'portrait'],
  ['a Napoleonic {}', 'soldier', 'battle', 'uniform'],
  ['a Soviet era {}', 'apartment block', 'poster', 'car'],
  ['a Georgian {}', 'townhouse', 'square', 'dining room'],
  ['a Baroque {}', 'palace', 'church interior', 'garden'],
];

const ERA_LINES = [
  'a photo from a century ago', 'an old family portrait', 'a scene from the distant future',
  'a retro diner', 'a vintage poster', 'an antique shop full of old things', 'a dinosaur in a jungle',
  'a knight in armor', 'a samurai in armor', 'a pharaoh on a throne', 'a Roman chariot',
  'a castle under siege', 'a robot walking through a future city', 'a flip phone and a CD player',
  'a typewriter and a rotary phone', 'a horse and cart on a cobbled street', 'a steam-powered factory',
  'gas lamps on an old street', 'an old black and white newsreel still',
];

/** Quality frames with `{}` for a plain subject, so each reads naturally ("a photo of a dog with …"). */
const QUALITY_FRAMES = [
  'a blurry photo of {}', 'an out-of-focus photo of {}', 'a photo of {} with motion blur',
  'a grainy photo of {}', 'a noisy low-light photo of {}', 'a pixelated image of {}',
  'a low-resolution image of {}', 'an overexposed photo of {}', 'an underexposed photo of {}',
  'a washed-out photo of {}', 'a high-contrast photo of {}', 'a tack-sharp photo of {}',
  'an HDR photo of {}', 'a photo of {} with film grain', 'a photo of {} with light leaks',
  'a scratched old photo of {}', 'a faded Polaroid of {}', 'a sepia-toned photo of {}',
  'a black and white photo of {}', 'a scanned photo of {}', 'a photocopy of {}',
  'security camera footage of {}', 'a webcam image of {}', 'a night vision image of {}',
  'a thermal camera image of {}', 'an infrared photo of {}', 'a long-exposure photo of {}',
  'a double exposure of {}', 'a badly cropped photo of {}', 'a photo of {} through a smudged lens',
  'a photo of {} with a dark vignette', 'a glitched image of {}', 'a VHS still of {}',
  'a phone photo of a screen showing {}', 'a cell phone snapshot of {}', 'a disposable camera photo of {}',
  'an instant film photo of {}', 'a 35mm film photo of {}', 'an amateur snapshot of {}',
  'a crisp high-resolution photo of {}', 'a heavily compressed image of {}', 'a tiny thumbnail of {}',
  'a photo of {} with a watermark', 'a torn old photograph of {}', 'a water-damaged photo of {}',
  'a photo of {} taken with a flash', 'a shaky handheld shot of {}',
];

const QUALITY_SUBJECTS = [
  'a street', 'a dog', 'a woman', 'a car', 'a living room', 'a child', 'a house', 'a cat', 'a city',
  'a man', 'a birthday party', 'a beach', 'a kitchen', 'a family', 'a parking lot', 'a park',
];

const QUALITY_LINES = [
  'jpeg compression artifacts', 'digital noise in the shadows', 'red eyes from a camera flash',
  'a photo with chromatic aberration', 'dust spots on the lens', 'a photo with a date stamp',
  'a heavily filtered photo', 'an image with a color cast', 'a professional studio portrait',
  'a studio product shot', 'a stock photo of a business meeting', 'an X-ray of a hand',
  'an X-ray of a suitcase', 'a photo that is almost completely black',
  'a photo that is almost completely white',
];

/** Each atmosphere with two places it suits. */
const ATMOSPHERES: readonly FramedSubjects[] = [
  ['a peaceful {}', 'forest', 'lake'], ['an eerie {}', 'hallway', 'empty playground'],
  ['a spooky {}', 'house', 'graveyard'], ['a gloomy {}', 'street', 'office'],
  ['a cheerful {}', 'kitchen', 'classroom'], ['a romantic {}', 'dinner', 'beach at sunset'],
  ['a nostalgic {}', 'childhood bedroom', 'train station'], ['a chaotic {}', 'market', 'kitchen'],
  ['a serene {}', 'garden', 'mountain lake'], ['a tense {}', 'meeting', 'alley'],
  ['a festive {}', 'street', 'living room'], ['a somber {}', 'room', 'gathering'],
  ['a whimsical {}', 'cottage', 'garden'], ['an ominous {}', 'sky', 'tunnel'],
  ['a cozy {}', 'cabin', 'blanket fort'], ['a desolate {}', 'road', 'landscape'],
  ['a lonely {}', 'bench', 'house on a hill'], ['a dramatic {}', 'cliff', 'sky'],
  ['a mysterious {}', 'doorway', 'fog-covered bridge'], ['a tranquil {}', 'pond', 'beach'],
  ['a melancholic {}', 'rainy street', 'empty cafe'], ['a joyful {}', 'dance', 'playground'],
  ['a hopeful {}', 'sunrise', 'new beginning'], ['a creepy {}', 'basement', 'doll'],
  ['a magical {}', 'forest', 'night sky'], ['a dreamy {}', 'meadow', 'bedroom'],
  ['a bleak {}', 'winter landscape', 'industrial town'], ['a lively {}', 'street market', 'bar'],
  ['a haunting {}', 'ruin', 'old mansion'], ['a sinister {}', 'figure', 'alley'],
  ['an uplifting {}', 'scene', 'moment'], ['a hectic {}', 'office', 'train station'],
  ['a lazy {}', 'afternoon', 'Sunday morning'], ['a solemn {}', 'ceremony', 'church'],
  ['an energetic {}', 'crowd', 'dance floor'], ['a playful {}', 'scene', 'kitten'],
  ['a quiet {}', 'library', 'village'], ['a menacing {}', 'storm', 'dog'],
  ['a calm {}', 'sea', 'morning'], ['a sad {}', 'goodbye', 'rainy day'],
];

/** Each emotion with two people (or a dog) it plausibly shows on. */
const EMOTIONS: readonly FramedSubjects[] = [
  ['a happy {}', 'child', 'dog'], ['a sad {}', 'woman', 'old man'], ['an angry {}', 'man', 'toddler'],
  ['a surprised {}', 'girl', 'man'], ['a scared {}', 'child', 'woman'], ['a disgusted {}', 'child', 'man'],
  ['a bored {}', 'student', 'teenager'], ['a tired {}', 'mother', 'worker'],
  ['a proud {}', 'father', 'graduate'], ['a nervous {}', 'student', 'bride'],
  ['a confused {}', 'tourist', 'old woman'], ['an excited {}', 'child', 'fan'],
  ['a lonely {}', 'old man', 'boy'], ['a calm {}', 'woman', 'monk'], ['an amused {}', 'girl', 'grandfather'],
  ['a grumpy {}', 'old man', 'cat'], ['a shy {}', 'little girl', 'boy'], ['an anxious {}', 'man', 'dog'],
  ['a relieved {}', 'mother', 'student'], ['a shocked {}', 'woman', 'man'],
  ['a heartbroken {}', 'teenager', 'woman'], ['an ecstatic {}', 'winner', 'crowd'],
  ['a content {}', 'grandmother', 'baby'], ['a frustrated {}', 'driver', 'student'],
  ['a worried {}', 'parent', 'farmer'], ['a serious {}', 'businessman', 'judge'],
  ['an embarrassed {}', 'teenager', 'man'], ['a jealous {}', 'sibling', 'puppy'],
  ['a guilty-looking {}', 'dog', 'child'], ['a determined {}', 'runner', 'climber'],
];

const MOOD_LINES = [
  'a feeling of loneliness', 'tears of joy', 'a moment of pure happiness', 'a sense of dread',
  'a feeling of calm', 'an atmosphere of celebration', 'a heartwarming moment', 'a bittersweet goodbye',
  'a scene full of tension', 'a feeling of freedom', 'a sense of wonder', 'a feeling of nostalgia',
  'a tearful face', 'a big happy grin', 'an angry frown', 'a look of surprise', 'a worried look',
  'a dreamy faraway look', 'a smile of relief', 'a face full of fear',
];

export const renderingDescriptions = {
  style: [...withSubjects(PICTURE_STYLES.map((s) => `${s} of {}`), PICTURE_SUBJECTS, 2), ...expandFramed(STYLE_SPECIFIC), ...STYLE_LINES],
  viewpoint: [...expandFramed(VIEWS), ...VIEWPOINT_LINES],
  era: [...decadeLines(), ...expandFramed(PERIODS), ...ERA_LINES],
  quality: [...withSubjects(QUALITY_FRAMES, QUALITY_SUBJECTS, 2), ...QUALITY_LINES],
  mood: [...expandFramed(ATMOSPHERES), ...expandFramed(EMOTIONS), ...MOOD_LINES],
};
