/**
 * Descriptions about how things look on the surface: colour, texture, pattern, shape, material.
 * Written for this project. Descriptions use American spelling ("color", "gray"), the spelling most
 * image captions use, while the property tags keep the project's spelling.
 */
import { rotate, withArticle } from '../compose.ts';

const COLOR_NAMES = [
  'crimson', 'scarlet red', 'cherry red', 'burgundy', 'maroon', 'coral', 'salmon pink', 'hot pink',
  'magenta', 'fuchsia', 'baby pink', 'lavender', 'lilac', 'violet', 'deep purple', 'plum', 'indigo',
  'navy blue', 'cobalt blue', 'royal blue', 'sky blue', 'powder blue', 'turquoise', 'teal', 'aqua',
  'mint green', 'lime green', 'emerald green', 'olive green', 'forest green', 'sage green',
  'chartreuse', 'lemon yellow', 'mustard yellow', 'golden yellow', 'amber', 'tangerine',
  'burnt orange', 'peach', 'terracotta', 'rust red', 'chocolate brown', 'tan', 'beige', 'cream',
  'ivory', 'charcoal gray', 'slate gray', 'jet black', 'snow white', 'metallic gold', 'silver',
];

const COLOR_FRAMES = [
  'a photo dominated by {}',
  'a wall painted {}',
  'an image in shades of {}',
  'a plain {} background',
  'a door painted {}',
  'splashes of {} paint',
  'a room with {} walls',
  'a {} umbrella',
  'a swatch of {} fabric',
  'everything in the picture is {}',
];

const PALETTES = [
  'red and white', 'black and gold', 'blue and yellow', 'pink and green', 'orange and teal',
  'purple and gold', 'green and white', 'navy and cream', 'red and black', 'pink and purple',
  'yellow and gray', 'brown and orange', 'turquoise and coral', 'silver and blue',
  'red, green and gold', 'black, white and red', 'blue and white', 'lime and magenta',
];

const PALETTE_FRAMES = ['a {} color scheme', 'a design in {}', 'a poster in {}'];

const COLOR_LINES = [
  'a photo with warm orange tones', 'a photo with cool blue tones', 'soft pastel colors',
  'bright neon colors', 'muted earthy colors', 'vivid saturated colors', 'faded washed-out colors',
  'a rainbow of colors', 'a monochrome green image', 'a monochrome red image',
  'an image in only shades of gray', 'a splash of color on a gray background',
  'candy-colored houses', 'bold primary colors', 'complementary colors side by side',
  'a gradient from pink to blue', 'a gradient from yellow to deep red', 'an all-white room',
  'an all-black outfit', 'a sea of yellow', 'a jar of multicolored candies',
  'rows of colored pencils', 'a paint palette with mixed colors', 'a colorful pile of yarn',
  'iridescent rainbow sheen', 'a color wheel', 'tie-dye colors swirling together',
  'jewel-toned velvet cushions', 'a photo with a green tint', 'a photo with a magenta cast',
  'a palette of autumn browns and oranges', 'icy blue and white hues',
];

const TEXTURE_ITEMS = [
  'rough tree bark', 'cracked dry mud', 'fluffy white fur', 'coarse wet sand', 'smooth river pebbles',
  'peeling paint', 'rusty corrugated metal', 'moss-covered stone', 'crumpled paper', 'knitted wool',
  'bubble wrap', 'frost crystals', 'woven straw', 'shaggy carpet', 'cracked old leather', 'sea foam',
  'glossy wet pavement', 'coarse salt grains', 'thick oil paint', 'coarse burlap', 'soft velvet',
  'sponge', 'flaky pastry', 'crusty bread', 'rippling water', 'bumpy orange peel', 'reptile scales',
  'bird feathers', 'honeycomb wax', 'cracked eggshell', 'weathered driftwood', 'rough concrete',
  'chipped plaster', 'loose gravel', 'melted candle wax', 'dewy spider silk', 'tangled fishing net',
  'rough sandpaper', 'hairy coconut husk', 'cotton wool', 'soap suds', 'frayed rope',
  'wrinkled elephant skin', 'fleece', 'cotton candy', 'gritty rock', 'slimy seaweed',
  'spiky cactus skin', 'rough stucco', 'fuzzy peach skin', 'crinkled aluminum foil', 'lumpy oatmeal',
  'sticky honey', 'powdery snow', 'ribbed corduroy', 'pitted lemon rind', 'bumpy lizard skin',
  'wet matted fur', 'thick dust', 'cracked desert earth', 'chunky cable knit', 'terry cloth',
  'pebbled leather', 'bumpy toad skin', 'frothy milk foam', 'crackled glaze', 'crushed ice',
];

const TEXTURE_FRAMES = ['a close-up of {}', 'the texture of {}', 'a background of {}', 'a macro shot of {}'];

const TEXTURE_LINES = [
  'a fuzzy texture', 'a bumpy surface', 'a slick glossy surface', 'a grainy rough texture',
  'a soft fluffy texture', 'a jagged uneven surface', 'a silky smooth texture', 'a scaly texture',
  'a spongy porous texture', 'a sticky gooey texture', 'a prickly surface', 'a gritty surface',
  'a leathery texture', 'a crinkly texture', 'a velvety texture', 'a rubbery texture',
  'a flaky crumbling surface', 'a slimy wet surface', 'a furry texture', 'a crusty surface',
];

const PATTERN_NAMES = [
  'polka dot', 'checkerboard', 'plaid', 'houndstooth', 'herringbone', 'paisley', 'chevron',
  'floral', 'leopard print', 'zebra stripe', 'camouflage', 'tie-dye', 'argyle', 'honeycomb',
  'pinstripe', 'gingham', 'tartan', 'geometric', 'wavy line', 'diamond', 'spiral', 'zigzag',
  'fish scale', 'lattice', 'damask', 'tiger stripe', 'giraffe print', 'snakeskin', 'star',
  'triangle', 'hexagon tile', 'concentric circle', 'moroccan tile', 'mosaic', 'marble swirl',
  'basket weave', 'Celtic knot', 'pixel', 'grid', 'dotted line',
];

/** Frames take "a polka dot pattern", "an argyle pattern", … */
const PATTERN_FRAMES = [
  '{} in bold contrast',
  'fabric with {}',
  'wallpaper with {}',
  '{} on a tiled floor',
  'a shirt with {}',
  'a rug with {}',
  'wrapping paper with {}',
  '{} repeated across a wall',
];

const PATTERN_LINES = [
  'a black and white striped awning', 'rows of identical windows', 'a tiled floor of repeating shapes',
  'evenly spaced fence posts', 'stacked bricks in neat rows', 'an endless grid of parking spaces',
  'shadows of blinds in stripes', 'repeating arches along a hallway', 'a field of identical tulips',
  'waves of sand ripples', 'rows of crops seen from above', 'a kaleidoscope pattern',
  'an optical illusion of stripes', 'a fractal pattern', 'a moire pattern',
  'a quilt of patchwork squares', 'rows of seats in a stadium', 'a repeating logo print',
  'a chessboard', 'stripes of light and shadow', 'concentric ripples on a pond',
  'a honeycomb of hexagonal cells', 'a symmetrical mandala', 'interlocking puzzle pieces',
  'a woven pattern of colored threads', 'repeating balconies on an apartment block',
  'a herringbone brick path', 'a staircase seen as repeating lines', 'polka dots on a dress',
  'camouflage netting', 'stripes on a zebra crossing', 'a lace doily pattern',
];

const SHAPES_2D = [
  'a circle', 'a square', 'a triangle', 'a star', 'a heart', 'a hexagon', 'an octagon', 'a pentagon',
  'a spiral', 'a crescent', 'a diamond', 'an oval', 'a rectangle', 'a ring', 'a cross', 'an arrow',
  'a zigzag', 'a wavy line', 'a teardrop', 'a semicircle', 'a trapezoid', 'a parallelogram',
  'a lightning bolt', 'a spiky starburst', 'a figure eight', 'an infinity symbol',
];

const SHAPE_FRAMES = [
  '{} drawn in chalk',
  '{} cut out of paper',
  '{} outlined in neon',
  '{} traced in the sand',
  '{} bent out of wire',
  'a simple drawing of {}',
  '{} on a plain background',
];

const SHAPES_3D = [
  'cube', 'sphere', 'cone', 'cylinder', 'pyramid', 'dome', 'torus', 'prism', 'cuboid', 'tetrahedron',
  'hemisphere', 'arch',
];

const SHAPE_3D_FRAMES = ['a large {} in a plaza', 'a wooden {} on a table', 'a glowing {} floating in space'];

const SHAPE_LINES = [
  'round objects on a table', 'a tall thin tower', 'sharp angular lines', 'a perfectly symmetrical building',
  'curvy organic shapes', 'a cluster of spheres', 'a stack of cubes', 'overlapping circles',
  'a jagged outline', 'a perfectly round hole', 'a long narrow strip', 'a twisted spiral staircase',
  'a heart-shaped cookie', 'a star-shaped window', 'a diamond-shaped road sign', 'a round window',
  'a triangular roof', 'an octagonal tower', 'a circular pond', 'a square box',
  'a crescent-shaped beach', 'an oval mirror', 'a hexagonal tile', 'a cone-shaped hill',
  'a bent curved line', 'tall pointed spires', 'a flat wide disc', 'boxy rectangular buildings',
  'a perfectly straight line', 'a lumpy irregular blob', 'a tangle of curly lines',
  'a pointed arch', 'a bulging rounded form', 'a tapering cone', 'a hollow tube',
  'a grid of squares', 'nested triangles', 'a star made of sticks', 'a spiral seashell',
  'a wavy roofline', 'geometric shapes in primary colors', 'a ring of stones', 'a domed roof',
  'a long thin needle', 'a sharp spike', 'a broad flat slab', 'a zigzag mountain ridge',
];

/** Each material with two things that are commonly made of it. */
const MATERIAL_THINGS: readonly [string, string, string][] = [
  ['oak wood', 'a dining table', 'a wine barrel'], ['pine wood', 'a bookshelf', 'a log cabin'],
  ['bamboo', 'a bicycle frame', 'a set of chopsticks'], ['rusty iron', 'a gate', 'a bridge'],
  ['stainless steel', 'a kitchen sink', 'a water bottle'], ['aluminum', 'a ladder', 'a canoe'],
  ['copper', 'a cooking pot', 'a roof'], ['brass', 'a trumpet', 'a door knocker'],
  ['solid gold', 'a crown', 'a coin'], ['sterling silver', 'a teapot', 'a bracelet'],
  ['clear glass', 'a vase', 'a staircase'], ['frosted glass', 'a shower door', 'a lamp shade'],
  ['ceramic', 'a bowl', 'a tiled wall'], ['porcelain', 'a doll', 'a figurine'],
  ['clay', 'a pot', 'a sculpture'], ['terracotta', 'a flower pot', 'a roof'],
  ['concrete', 'a bench', 'a staircase'], ['red brick', 'a house', 'a chimney'],
  ['white marble', 'a statue', 'a staircase'], ['granite', 'a kitchen counter', 'a tombstone'],
  ['sandstone', 'a temple', 'a wall'], ['slate', 'a roof', 'a garden path'],
  ['plastic', 'a chair', 'a toy'], ['rubber', 'a ball', 'a boot'], ['leather', 'a sofa', 'a saddle'],
  ['suede', 'a jacket', 'a pair of shoes'], ['denim', 'a jacket', 'a skirt'],
  ['silk', 'a dress', 'a tie'], ['velvet', 'a curtain', 'an armchair'], ['wool', 'a sweater', 'a rug'],
  ['cotton', 'a T-shirt', 'a bed sheet'], ['linen', 'a tablecloth', 'a summer shirt'],
  ['lace', 'a veil', 'a curtain'], ['paper', 'a lantern', 'a crane'], ['cardboard', 'a box', 'a fort'],
  ['cork', 'a board', 'a floor'], ['wicker', 'a basket', 'a chair'], ['rattan', 'a lamp', 'a sofa'],
  ['ice', 'a hotel', 'a sculpture'], ['wax', 'a figure', 'a candle'], ['foam', 'a mattress', 'a sword'],
  ['felt', 'a hat', 'a toy'], ['carbon fiber', 'a racing bike', 'a helmet'],
  ['chrome', 'a bumper', 'a faucet'], ['resin', 'a pendant', 'a river table'],
  ['jade', 'a carving', 'a bracelet'], ['crystal', 'a chandelier', 'a wine glass'],
  ['plywood', 'a skateboard ramp', 'a shelf'], ['burlap', 'a sack', 'a table runner'],
  ['canvas', 'a tent', 'a tote bag'], ['straw', 'a hat', 'a roof'], ['driftwood', 'a mirror frame', 'a sign'],
  ['recycled plastic', 'a bench', 'a bag'], ['bone', 'a comb', 'a knife handle'],
  ['tin', 'a toy robot', 'a lunchbox'], ['cast iron', 'a skillet', 'a radiator'],
];

const MATERIAL_LINES = [
  'a building clad in glass', 'a wall of exposed brick', 'a floor of polished concrete',
  'a pile of lumber', 'sheets of corrugated tin', 'a roll of fabric', 'blocks of carved stone',
  'a stack of plywood boards', 'bolts of silk', 'a heap of scrap metal', 'a crate of glass bottles',
  'balls of wool yarn', 'a slab of raw marble', 'a wooden cabin', 'a steel bridge',
  'a stone cottage', 'a glass greenhouse', 'a plastic toy', 'a leather armchair', 'a woolen scarf',
  'a clay pot', 'a copper kettle', 'a porcelain teacup', 'a bamboo fence', 'a concrete wall',
  'a rubber boot', 'a paper lantern', 'a cardboard box', 'a silk scarf', 'an iron gate',
  'a marble floor', 'a granite countertop', 'a cork board', 'a wicker chair', 'a felt hat',
  'a chrome faucet', 'a brass doorknob', 'a denim jacket', 'a crystal glass', 'a straw hat',
];

export const visualDescriptions = {
  colour: [...rotate(COLOR_NAMES, COLOR_FRAMES, 2), ...rotate(PALETTES, PALETTE_FRAMES, 1), ...COLOR_LINES],
  texture: [...rotate(TEXTURE_ITEMS, TEXTURE_FRAMES, 2), ...TEXTURE_LINES],
  pattern: [...rotate(PATTERN_NAMES.map((name) => withArticle(`${name} pattern`)), PATTERN_FRAMES, 3), ...PATTERN_LINES],
  shape: [...rotate(SHAPES_2D, SHAPE_FRAMES, 3), ...rotate(SHAPES_3D, SHAPE_3D_FRAMES, 1), ...SHAPE_LINES],
  material: [
    ...MATERIAL_THINGS.flatMap(([material, first, second]) => [`${first} made of ${material}`, `${second} made of ${material}`]),
    ...MATERIAL_LINES,
  ],
};
