/**
 * The project's default label set (public/data/labels.json): everyday categories for the UI's
 * top-5 zero-shot guesses when the user brings no labels of their own, with prompt templates.
 * Written for this project. Groups exist only to keep the list readable; the file is flat.
 */

export interface LabelSet {
  classes: string[];
  templates: string[];
}

const CATEGORY_GROUPS: Record<string, readonly string[]> = {
  pets: [
    'dog', 'puppy', 'cat', 'kitten', 'rabbit', 'hamster', 'guinea pig', 'goldfish', 'parakeet', 'parrot',
    'tortoise',
  ],
  farmAnimals: [
    'horse', 'pony', 'donkey', 'cow', 'pig', 'sheep', 'goat', 'chicken', 'rooster', 'duck', 'goose',
    'turkey', 'llama',
  ],
  wildAnimals: [
    'lion', 'tiger', 'leopard', 'cheetah', 'elephant', 'giraffe', 'zebra', 'rhinoceros', 'hippopotamus',
    'gorilla', 'chimpanzee', 'monkey', 'brown bear', 'polar bear', 'panda', 'koala', 'kangaroo', 'wolf',
    'fox', 'deer', 'moose', 'raccoon', 'squirrel', 'hedgehog', 'bat', 'camel', 'otter', 'beaver',
    'bison', 'sloth', 'mouse',
  ],
  birds: [
    'owl', 'eagle', 'hawk', 'flamingo', 'peacock', 'penguin', 'swan', 'pigeon', 'seagull',
    'hummingbird', 'crow', 'woodpecker', 'ostrich', 'sparrow',
  ],
  waterAnimals: [
    'dolphin', 'whale', 'shark', 'sea turtle', 'seal', 'octopus', 'jellyfish', 'crab', 'lobster',
    'starfish', 'seahorse', 'stingray',
  ],
  smallCreatures: [
    'frog', 'lizard', 'snake', 'crocodile', 'butterfly', 'bee', 'ladybug', 'dragonfly', 'spider',
    'ant', 'snail', 'beetle', 'caterpillar', 'grasshopper',
  ],
  vehicles: [
    'car', 'sports car', 'pickup truck', 'truck', 'bus', 'school bus', 'taxi', 'police car', 'ambulance',
    'fire truck', 'van', 'motorcycle', 'scooter', 'bicycle', 'tractor', 'bulldozer', 'train',
    'tram', 'airplane', 'helicopter', 'hot air balloon', 'sailboat', 'motorboat', 'cruise ship',
    'canoe', 'kayak', 'submarine', 'rocket', 'skateboard', 'wheelchair', 'stroller', 'forklift',
  ],
  fruitAndVegetables: [
    'apple', 'banana', 'orange', 'lemon', 'strawberry', 'grapes', 'watermelon', 'pineapple', 'mango',
    'pear', 'cherry', 'peach', 'avocado', 'coconut', 'kiwi', 'tomato', 'carrot', 'broccoli', 'potato',
    'onion', 'corn', 'cucumber', 'bell pepper', 'mushroom', 'pumpkin', 'lettuce', 'eggplant',
  ],
  dishesAndDrinks: [
    'pizza', 'hamburger', 'hot dog', 'sandwich', 'sushi', 'spaghetti', 'soup', 'salad', 'taco',
    'burrito', 'pancakes', 'waffle', 'croissant', 'bread', 'bagel', 'donut', 'cake', 'cupcake', 'pie',
    'cookie', 'ice cream', 'chocolate', 'cheese', 'egg', 'fried chicken', 'steak', 'rice', 'noodles',
    'dumplings', 'curry', 'french fries', 'popcorn', 'pretzel', 'coffee', 'tea', 'orange juice',
    'wine', 'beer', 'milk', 'smoothie', 'lemonade',
  ],
  kitchen: [
    'coffee mug', 'teapot', 'kettle', 'frying pan', 'saucepan', 'kitchen knife', 'cutting board',
    'wooden spoon', 'fork', 'plate', 'bowl', 'wine glass', 'toaster', 'blender', 'microwave',
    'refrigerator', 'oven', 'dishwasher', 'coffee maker', 'rolling pin', 'whisk', 'jar',
  ],
  furniture: [
    'chair', 'armchair', 'sofa', 'bed', 'table', 'desk', 'bookshelf', 'wardrobe', 'dresser', 'bench',
    'stool', 'rocking chair', 'crib', 'hammock',
  ],
  homeObjects: [
    'lamp', 'candle', 'clock', 'alarm clock', 'mirror', 'pillow', 'blanket', 'rug', 'curtain', 'vase',
    'picture frame', 'houseplant', 'umbrella', 'basket', 'bucket', 'broom', 'vacuum cleaner',
    'washing machine', 'toilet', 'bathtub', 'shower', 'sink', 'toothbrush', 'towel', 'soap',
    'hairbrush', 'trash can', 'light bulb', 'key', 'padlock', 'door', 'window', 'staircase', 'fireplace',
    'mailbox', 'teddy bear', 'doll', 'balloon', 'gift box',
  ],
  electronics: [
    'smartphone', 'laptop', 'desktop computer', 'keyboard', 'computer mouse', 'monitor', 'television',
    'remote control', 'headphones', 'speaker', 'camera', 'video game controller', 'tablet', 'printer',
    'radio', 'microphone', 'smartwatch', 'drone', 'calculator',
  ],
  office: [
    'pencil', 'pen', 'notebook', 'book', 'newspaper', 'envelope', 'scissors', 'stapler', 'paper clip',
    'ruler', 'backpack', 'briefcase', 'globe', 'map', 'whiteboard', 'calendar',
  ],
  tools: [
    'hammer', 'screwdriver', 'wrench', 'pliers', 'saw', 'power drill', 'axe', 'shovel', 'rake',
    'ladder', 'tape measure', 'paintbrush', 'watering can', 'wheelbarrow', 'lawn mower', 'toolbox',
    'flashlight', 'rope', 'nail', 'sewing machine',
  ],
  clothing: [
    't-shirt', 'shirt', 'sweater', 'hoodie', 'jacket', 'coat', 'raincoat', 'dress', 'skirt', 'jeans',
    'shorts', 'suit', 'tie', 'scarf', 'gloves', 'socks', 'sneakers', 'boots', 'sandals', 'high heels',
    'hat', 'baseball cap', 'sunglasses', 'glasses', 'watch', 'necklace', 'ring', 'earrings', 'handbag',
    'wallet', 'belt', 'swimsuit', 'pajamas', 'uniform',
  ],
  plants: [
    'tree', 'palm tree', 'pine tree', 'oak tree', 'flower', 'rose', 'sunflower', 'tulip', 'daisy',
    'orchid', 'lily', 'cactus', 'fern', 'grass', 'moss', 'bamboo', 'bush', 'leaf', 'bouquet', 'seaweed',
  ],
  buildings: [
    'house', 'apartment building', 'skyscraper', 'church', 'mosque', 'temple', 'castle', 'palace',
    'lighthouse', 'windmill', 'barn', 'cabin', 'tent', 'bridge', 'tower', 'stadium', 'school',
    'hospital', 'factory', 'shop', 'restaurant', 'gas station', 'train station', 'airport', 'greenhouse',
    'fountain', 'statue', 'fence', 'wall', 'road',
  ],
  landscapes: [
    'beach', 'ocean', 'lake', 'river', 'waterfall', 'mountain', 'volcano', 'hill', 'valley', 'canyon',
    'desert', 'forest', 'jungle', 'field', 'meadow', 'island', 'cave', 'glacier', 'cliff', 'swamp',
    'coral reef', 'sky', 'cloud', 'sunset', 'rainbow', 'snow', 'city street', 'park', 'garden',
    'playground', 'farm',
  ],
  instruments: [
    'guitar', 'electric guitar', 'violin', 'cello', 'piano', 'drum', 'drum kit', 'trumpet', 'saxophone',
    'flute', 'clarinet', 'harp', 'accordion', 'harmonica', 'ukulele', 'banjo', 'xylophone', 'tambourine',
  ],
  sportsGear: [
    'soccer ball', 'basketball', 'football', 'baseball', 'baseball bat', 'tennis racket', 'tennis ball',
    'golf club', 'golf ball', 'hockey stick', 'skis', 'snowboard', 'surfboard', 'ice skates',
    'roller skates', 'bowling ball', 'boxing gloves', 'dumbbell', 'yoga mat', 'helmet', 'frisbee',
    'kite', 'fishing rod', 'sled', 'trampoline', 'chessboard', 'dice', 'playing cards',
  ],
  people: ['person', 'baby', 'child', 'man', 'woman', 'crowd', 'face', 'hand'],
};

/** Prompt templates; `{}` is replaced by the class name. Written to avoid "a/an" agreement issues. */
const TEMPLATES = [
  'a photo showing the {}.',
  'a snapshot with the {} in it.',
  'the {}, photographed up close.',
  'the {}, seen from a distance.',
  'a picture taken of the {}.',
  'an everyday photo featuring the {}.',
  'a dim, dark photo showing the {}.',
  'a brightly lit photo showing the {}.',
  'a blurry snapshot of the {}.',
  'a sketch depicting the {}.',
  'a painting depicting the {}.',
  'a cartoon version of the {}.',
  'a photo where the {} is the main subject.',
  'a cluttered scene that includes the {}.',
  'an image of the {} on a plain background.',
  'a low-quality phone photo of the {}.',
];

export function buildLabelSet(): LabelSet {
  return { classes: Object.values(CATEGORY_GROUPS).flat(), templates: [...TEMPLATES] };
}

export function formatLabelSet(set: LabelSet): string {
  return JSON.stringify(set, null, 2) + '\n';
}
