/**
 * Descriptions about things, writing and numbers: object, vehicle, food, text, count.
 * Written for this project (American spelling, see visual.ts).
 */
import { rotate } from '../compose.ts';

const OBJECTS = [
  'a pair of scissors', 'a hammer', 'a screwdriver', 'a wrench', 'an alarm clock', 'a wristwatch',
  'a coffee mug', 'a teapot', 'a frying pan', 'a kitchen knife', 'a wooden spoon', 'a toaster',
  'a blender', 'an umbrella', 'a backpack', 'a suitcase',
  'a handbag', 'a wallet', 'a set of keys', 'a padlock', 'a flashlight', 'a candle', 'a lamp',
  'a light bulb', 'a pair of glasses', 'a pair of sunglasses', 'a smartphone', 'a laptop',
  'a keyboard', 'a computer mouse', 'headphones', 'a camera', 'a remote control',
  'a game controller', 'a calculator', 'a stapler', 'a pencil', 'a fountain pen', 'a notebook',
  'a globe', 'a telescope', 'a microscope', 'a teddy bear', 'a rubber duck', 'a soccer ball',
  'a baseball bat', 'a tennis racket', 'a guitar', 'a violin', 'a trumpet', 'a drum',
  'a pillow', 'a blanket', 'a vase', 'a picture frame', 'a toothbrush', 'a hairbrush', 'a bar of soap', 'a towel',
  'a bucket', 'a watering can', 'a paintbrush', 'a tape measure',
  'a power drill', 'a typewriter', 'an old radio', 'a cardboard box', 'a plastic bottle', 'a glass jar',
  'a pair of sneakers', 'a leather boot', 'a baseball cap', 'a wool sweater', 'a necktie',
  'a dress on a hanger', 'a pair of jeans', 'a winter coat', 'a necklace', 'a diamond ring',
  'a kettle', 'a plate and fork',
];

const OBJECT_FRAMES = [
  '{} on a white background',
  '{} on a wooden desk',
  'a product photo of {}',
  '{} lying on the floor',
  '{} on a shelf',
  'a close-up of {}',
];

/** Furniture, appliances and other things too big for a desk or a shelf. */
const LARGE_OBJECTS = [
  'a chair', 'a sofa', 'a bed', 'a bookshelf', 'a mirror', 'a rug', 'a microwave', 'a vacuum cleaner',
  'a television', 'a piano', 'a broom', 'a shovel', 'a ladder', 'a sewing machine', 'a wall clock',
  'a trash can', 'a shopping cart', 'a standing fan', 'a refrigerator', 'a washing machine',
  'a wardrobe', 'a desk', 'an armchair', 'a floor lamp', 'a bathtub', 'a grandfather clock',
];

const LARGE_OBJECT_FRAMES = ['a product photo of {}', '{} in an empty room', 'a close-up of {}', '{} against a white wall'];

const OBJECT_LINES = [
  'a cluttered desk', 'a drawer full of tools', 'a pile of old electronics', 'a tidy shelf of objects',
  'everyday objects laid out neatly', 'a toolbox', 'a junk drawer', 'a box of toys',
  'a kitchen counter with utensils', 'a nightstand with a lamp and book', 'a pile of shoes',
  'a coat rack with jackets', 'things spread out on a table',
];

const ROAD_VEHICLES = [
  'a sports car', 'a pickup truck', 'a school bus', 'a city bus', 'a taxi', 'a police car',
  'an ambulance', 'a fire truck', 'a delivery van', 'a semi truck', 'a motorcycle', 'a scooter',
  'a vintage car', 'a convertible', 'a minivan', 'a jeep', 'an electric car', 'a limousine',
  'a camper van', 'a tow truck', 'a garbage truck', 'a cement mixer', 'a tuk-tuk', 'a double-decker bus',
  'a dump truck', 'an armored truck', 'a hatchback', 'an SUV', 'a station wagon', 'a moped',
];

const ROAD_FRAMES = ['{} on the road', '{} parked on a street', 'a side view of {}', '{} stuck in traffic', 'the front of {}'];

const OTHER_VEHICLES = [
  'a passenger jet', 'a small propeller plane', 'a helicopter', 'a fighter jet', 'a hot air balloon',
  'a glider', 'a drone', 'a space rocket', 'a blimp', 'a sailboat', 'a speedboat', 'a cruise ship',
  'a cargo ship', 'a fishing boat', 'a canoe', 'a kayak', 'a rowboat', 'a yacht', 'a ferry',
  'a submarine', 'a gondola', 'a jet ski', 'a steam locomotive', 'a high-speed train',
  'a freight train', 'a subway train', 'a tram', 'a cable car', 'a bicycle', 'a tandem bicycle',
  'a skateboard', 'a unicycle', 'a horse-drawn carriage', 'a snowmobile', 'a sled', 'a rickshaw',
  'a wheelchair', 'a baby stroller', 'a tractor', 'a bulldozer', 'an excavator', 'a forklift',
  'a go-kart', 'a race car', 'a quad bike', 'a golf cart',
];

const OTHER_FRAMES = ['a photo of {}', '{} in motion', '{} seen from afar'];

const VEHICLE_LINES = [
  'a traffic jam on a highway', 'cars parked in a row', 'a busy intersection with cars',
  'a train crossing a bridge', 'boats moored in a harbor', 'planes lined up at an airport',
  'a bicycle leaning against a wall', 'a car dashboard', 'a steering wheel', 'a flat tire',
  'a car wash', 'a car crash', 'headlights of an oncoming car', 'a parking lot full of cars',
];

const DISHES = [
  'a plate of spaghetti', 'a slice of pizza', 'a bowl of ramen', 'a cheeseburger', 'a hot dog',
  'a plate of sushi', 'a bowl of salad', 'a bowl of soup', 'a taco', 'a burrito', 'a sandwich',
  'a stack of pancakes', 'a waffle with syrup', 'a croissant', 'a bagel', 'a donut',
  'a chocolate cake', 'a cupcake', 'a slice of apple pie', 'a bowl of ice cream', 'a bowl of cereal',
  'fried eggs and bacon', 'a roast chicken', 'a grilled steak', 'a bowl of rice', 'a plate of dumplings',
  'a bowl of curry', 'fish and chips', 'a plate of french fries', 'a bowl of popcorn', 'a cheese board',
  'a fruit salad', 'a bowl of oatmeal', 'a pot of stew', 'a plate of nachos', 'a bowl of pho',
  'a kebab', 'a falafel wrap', 'a plate of paella', 'a bowl of guacamole', 'a pretzel', 'a macaron',
  'a cinnamon roll', 'a lobster dinner', 'a bowl of noodles', 'a bento box', 'a bowl of mac and cheese',
  'a plate of cookies', 'a bowl of chili', 'a plate of lasagna', 'a quiche', 'a bowl of hummus',
];

const DISH_FRAMES = [
  '{} on a wooden table',
  'a close-up of {}',
  '{} served at a restaurant',
  '{} on a kitchen counter',
  'a food photo of {}',
  '{} ready to eat',
];

const DRINKS = [
  'a cup of coffee', 'a cup of tea', 'a glass of orange juice', 'a glass of red wine', 'a pint of beer',
  'a smoothie', 'a milkshake', 'a cup of hot chocolate', 'a glass of lemonade', 'a cocktail',
  'a glass of milk', 'a latte with foam art', 'a bottle of soda', 'a glass of iced tea',
];

const DRINK_FRAMES = ['{} on a cafe table', 'a close-up of {}', '{} on a bar counter', '{} next to a window'];

const PRODUCE = [
  'a loaf of bread', 'a bowl of strawberries', 'a bunch of bananas', 'a pile of apples',
  'a watermelon slice', 'a pineapple', 'an avocado cut in half', 'a basket of eggs', 'a pile of carrots',
  'a head of broccoli', 'a bunch of grapes', 'a lemon', 'a pomegranate', 'a box of chocolates',
  'a jar of honey', 'a block of cheese', 'a basket of tomatoes', 'a bag of potatoes', 'a raw fish',
  'a string of sausages', 'a crate of oranges', 'a bunch of radishes',
];

const PRODUCE_FRAMES = ['{} on a kitchen counter', 'a close-up of {}', '{} at a market stall', '{} on a wooden table'];

const FOOD_LINES = [
  'a buffet table full of food', 'a picnic spread', 'a market stall of fresh vegetables',
  'a breakfast table', 'a fridge full of food', 'a chef plating a dish', 'ingredients on a cutting board',
  'a street food stall', 'a family dinner table', 'a birthday cake', 'fast food on a tray',
  'spices in small bowls', 'a steaming bowl of food', 'a half-eaten meal',
];

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
const LETTER_FRAMES = [
  'the letter {} in bold type',
  'a large letter {} painted on a wall',
  'a wooden letter {}',
  'the letter {} written by hand',
];

const WORDS = [
  'open', 'sale', 'stop', 'exit', 'hello', 'love', 'home', 'coffee', 'hotel', 'welcome', 'danger',
  'closed', 'taxi', 'pizza', 'bar', 'free', 'help', 'peace', 'dream', 'music', 'police', 'school',
  'bakery', 'parking', 'cinema', 'news', 'sorry', 'thank you', 'happy birthday', 'no entry',
];

const WORD_FRAMES = [
  'the word "{}" written in chalk',
  'a sign reading "{}"',
  'the word "{}" in neon lights',
  '"{}" spelled out in block letters',
];

const NUMBERS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '13', '42', '100', '2024'];
const NUMBER_FRAMES = ['the number {} painted on a door', 'a big printed number {}'];

const TEXT_LINES = [
  'handwritten notes on lined paper', 'a page of printed text', 'a newspaper headline',
  'a book cover with a title', 'a shop receipt', 'a street name sign', 'a menu board with prices',
  'Chinese characters on a red banner', 'Arabic calligraphy', 'Japanese writing on a sign',
  'a cursive signature', 'math equations on a chalkboard', 'a typewritten letter',
  'a billboard with a slogan', 'a T-shirt with a printed slogan', 'a sports scoreboard',
  'a digital clock display', 'a handwritten price tag', 'a barcode label', 'a QR code',
  'graffiti lettering on a brick wall', 'a license plate', 'a highway road sign',
  'an eye chart with letters', 'a page from a dictionary', 'subtitles on a movie screen',
  'a screenshot of a text message', 'a crossword puzzle', 'a handwritten shopping list',
  'a poster with large headlines', 'a neon sign with a shop name', 'an old manuscript page',
  'a typed computer code listing', 'a label on a jar', 'a name tag', 'a birthday card message',
  'magnetic letters on a fridge', 'letters carved in stone', 'a warning label', 'a restaurant logo',
  'a street full of shop signs', 'a stamped passport page', 'a ticket with printed text',
  'Greek letters on a blackboard', 'a road painted with the word slow', 'a page of sheet music',
  'a tattoo of written words', 'a protest sign with words', 'skywriting in the sky',
];

const COUNTS = ['two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
/** Small things that can stand on a table, and bigger things (or living ones) that cannot. */
const SMALL_COUNTED = [
  'apples', 'candles', 'cups', 'eggs', 'coins', 'books', 'bottles', 'flowers', 'keys', 'pencils',
  'oranges', 'dice', 'buttons', 'cookies', 'shoes', 'lemons', 'spoons', 'stones', 'hats', 'candies',
  'glasses', 'balloons',
];
const LARGE_COUNTED = [
  'dogs', 'cats', 'birds', 'horses', 'cows', 'ducks', 'ducklings', 'people', 'children', 'sheep',
  'puppies', 'kittens', 'chairs', 'boats', 'cars', 'bicycles', 'trees', 'windows', 'goats', 'houses',
];
const SMALL_COUNT_FRAMES = ['{} in a row', '{} on a table', 'exactly {}', '{} side by side', '{} in a box'];
const LARGE_COUNT_FRAMES = ['{} in a row', 'exactly {}', 'a group of {}', '{} side by side', '{} together'];

/** "two apples in a row", "three dogs together", …: each count with five small and five large things. */
function countLines(): string[] {
  const lines: string[] = [];
  let small = 0;
  let large = 0;
  for (const count of COUNTS) {
    for (let j = 0; j < 5; j++) {
      lines.push(SMALL_COUNT_FRAMES[(small + j) % SMALL_COUNT_FRAMES.length].replace('{}', `${count} ${SMALL_COUNTED[small % SMALL_COUNTED.length]}`));
      small += 1;
      lines.push(LARGE_COUNT_FRAMES[(large + 2 * j) % LARGE_COUNT_FRAMES.length].replace('{}', `${count} ${LARGE_COUNTED[large % LARGE_COUNTED.length]}`));
      large += 1;
    }
  }
  return lines;
}

const COUNT_LINES = [
  'a single apple', 'one lone tree in a field', 'a single chair in an empty room', 'a pair of shoes',
  'a pair of swans', 'a dozen eggs', 'a dozen roses', 'a huge crowd of people', 'hundreds of birds',
  'thousands of lights', 'a few scattered coins', 'many small objects', 'a pile of countless pebbles',
  'an empty shelf', 'nothing but an empty table', 'a couple of cups', 'a handful of berries',
  'dozens of bicycles', 'a stack of many plates', 'a row of twenty cars', 'a lone person on a beach',
  'one candle on a cake', 'a single leaf on the ground', 'both hands', 'a crowd of thousands',
  'a few people in a big hall', 'a countless number of stars', 'a single bird in the sky',
  'a hundred balloons', 'only one shoe', 'a set of three bowls', 'a trio of musicians',
  'a quartet of singers', 'a family of five', 'a group of fifty people',
];

export const thingDescriptions = {
  object: [...rotate(OBJECTS, OBJECT_FRAMES, 2), ...rotate(LARGE_OBJECTS, LARGE_OBJECT_FRAMES, 2), ...OBJECT_LINES],
  vehicle: [...rotate(ROAD_VEHICLES, ROAD_FRAMES, 2), ...rotate(OTHER_VEHICLES, OTHER_FRAMES, 2), ...VEHICLE_LINES],
  food: [
    ...rotate(DISHES, DISH_FRAMES, 2),
    ...rotate(DRINKS, DRINK_FRAMES, 2),
    ...rotate(PRODUCE, PRODUCE_FRAMES, 2),
    ...FOOD_LINES,
  ],
  text: [
    ...rotate(LETTERS, LETTER_FRAMES, 2),
    ...rotate(WORDS, WORD_FRAMES, 1),
    ...rotate(NUMBERS, NUMBER_FRAMES, 1),
    ...TEXT_LINES,
  ],
  count: [...countLines(), ...COUNT_LINES],
};
