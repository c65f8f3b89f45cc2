/**
 * Descriptions about living things and what people do: animal, plant, person, action, event.
 * Written for this project (American spelling, see visual.ts).
 */
import { rotate, withSubjects } from '../compose.ts';

/** Animal groups, each with frames that suit where such animals are seen. */
const ANIMAL_GROUPS: readonly { animals: string[]; frames: string[] }[] = [
  {
    animals: [
      'a golden retriever', 'a German shepherd', 'a beagle', 'a pug', 'a poodle', 'a husky', 'a dachshund',
      'a tabby cat', 'a black cat', 'a Siamese cat', 'a kitten', 'a puppy', 'a rabbit', 'a hamster',
      'a guinea pig', 'a mouse', 'a parakeet',
    ],
    frames: ['a photo of {}', '{} looking at the camera', '{} asleep on a sofa', 'a close-up of {}', '{} playing in the yard'],
  },
  {
    animals: [
      'a horse', 'a pony', 'a donkey', 'a cow', 'a calf', 'a pig', 'a sheep', 'a goat', 'a chicken',
      'a rooster', 'a duck', 'a goose', 'a turkey', 'a llama', 'an alpaca',
    ],
    frames: ['a photo of {}', '{} on a farm', '{} in a barnyard', 'a close-up of {}'],
  },
  {
    animals: [
      'a lion', 'a tiger', 'a leopard', 'a cheetah', 'a jaguar', 'an elephant', 'a giraffe', 'a zebra',
      'a rhinoceros', 'a hippopotamus', 'a gorilla', 'a chimpanzee', 'an orangutan', 'a monkey',
      'a brown bear', 'a polar bear', 'a panda', 'a koala', 'a kangaroo', 'a wolf', 'a red fox',
      'a deer', 'a moose', 'a raccoon', 'a squirrel', 'a hedgehog', 'a bat', 'a frog', 'a lizard',
      'a snake', 'a crocodile', 'a tortoise', 'a camel', 'an otter', 'a beaver', 'a badger', 'a bison',
      'a sloth', 'a chameleon', 'a flamingo', 'a peacock', 'an ostrich',
    ],
    frames: ['{} in the wild', 'a close-up of {}', '{} in its natural habitat', 'a portrait of {}', '{} resting in the shade'],
  },
  {
    animals: [
      'an owl', 'an eagle', 'a hawk', 'a parrot', 'a pigeon', 'a seagull', 'a hummingbird', 'a robin',
      'a crow', 'a woodpecker', 'a sparrow', 'a kingfisher',
    ],
    frames: ['{} perched on a branch', 'a close-up of {}', '{} in flight', 'a photo of {}'],
  },
  {
    animals: [
      'a dolphin', 'a whale', 'a shark', 'a sea turtle', 'a seal', 'an octopus', 'a jellyfish', 'a crab',
      'a lobster', 'a goldfish', 'a clownfish', 'a walrus', 'a penguin', 'a stingray', 'a seahorse',
    ],
    frames: ['{} underwater', 'a photo of {}', 'a close-up of {}', '{} in an aquarium'],
  },
  {
    animals: [
      'a butterfly', 'a bee', 'a ladybug', 'a dragonfly', 'a spider', 'an ant', 'a snail', 'a grasshopper',
      'a beetle', 'a caterpillar', 'a moth',
    ],
    frames: ['a macro photo of {}', '{} on a leaf', 'a close-up of {}', '{} on a flower'],
  },
];

const ANIMAL_LINES = [
  'a herd of wild animals', 'a flock of birds in flight', 'a school of fish', 'a pack of wolves',
  'a mother animal with her young', 'a pet sleeping on a couch', 'a dog catching a frisbee',
  'a cat sitting in a window', 'a bird perched on a branch', 'animal tracks in the mud',
  'a swarm of bees', 'farm animals in a pen', 'a wildlife safari scene', 'fish in an aquarium',
  'two dogs playing together', 'a horse galloping', 'a spider on its web',
];

const SMALL_PLANTS = [
  'a red rose', 'a sunflower', 'a tulip', 'a daisy', 'an orchid', 'a lily', 'a lotus flower',
  'a sprig of lavender', 'a dandelion', 'a poppy', 'a hibiscus flower', 'a cactus', 'a succulent',
  'an aloe vera plant', 'a fern', 'a bonsai tree', 'a monstera plant', 'a snake plant',
  'a basil plant', 'a tomato plant', 'a mushroom', 'a four-leaf clover', 'a clump of moss',
  'a water lily', 'a venus flytrap', 'a marigold', 'a hydrangea', 'a thistle', 'a pine cone',
  'a bunch of wildflowers', 'a peony', 'a carnation', 'an iris', 'a sprouting seedling',
  'a strawberry plant', 'a pitcher plant', 'a bluebell', 'a crocus', 'a foxglove', 'a spider plant',
];

const SMALL_PLANT_FRAMES = [
  'a photo of {}',
  'a close-up of {}',
  '{} in a garden',
  '{} in the sunshine',
  '{} covered in morning dew',
];

const LARGE_PLANTS = [
  'a cherry blossom tree', 'a lilac bush', 'a magnolia tree', 'a field of clover', 'a palm tree',
  'an oak tree', 'a pine tree', 'a birch tree', 'a willow tree', 'a maple tree', 'a baobab tree',
  'a redwood tree', 'a bamboo grove', 'a corn field', 'a wheat field', 'a rice paddy',
  'a grapevine', 'an apple tree', 'a lemon tree', 'a pumpkin patch', 'a field of lavender',
  'a hedge', 'a wisteria vine', 'tall grass', 'a weeping willow', 'a coconut palm',
  'a bed of reeds', 'a sunflower field', 'an olive tree', 'a fig tree',
  'a eucalyptus tree', 'a cypress tree', 'a rose bush',
];

const LARGE_PLANT_FRAMES = ['a photo of {}', '{} in the countryside', '{} seen from a distance', '{} on a hillside'];

const PLANT_LINES = [
  'green leaves', 'a dense forest canopy', 'a flower garden', 'a bouquet in a vase',
  'a vegetable patch', 'potted plants on a windowsill', 'a tree with autumn leaves', 'a leafless tree',
  'roots of an old tree', 'a single leaf', 'flower petals on the ground', 'a hanging plant',
  'a climbing vine on a wall', 'a greenhouse full of plants', 'seeds sprouting in soil',
  'a field of tulips', 'a tree stump', 'a fallen log covered in fungi',
];

const PEOPLE = [
  'a toddler', 'a young girl', 'a young boy', 'a teenage girl', 'a teenage boy',
  'a young woman', 'a young man', 'a middle-aged woman', 'a middle-aged man', 'an elderly woman',
  'an elderly man', 'a grandmother', 'a grandfather', 'a firefighter', 'a nurse', 'a chef', 'a police officer', 'a soldier',
  'a doctor', 'a farmer', 'a construction worker', 'a businessman in a suit', 'a bride',
  'a groom', 'a ballerina', 'a clown', 'an astronaut', 'a monk', 'a bearded man',
  'a woman with curly hair', 'a man with tattoos', 'a woman with red hair', 'a bald man',
  'a man wearing glasses', 'a woman in a hijab', 'a pilot', 'a scientist in a lab coat',
  'a teacher', 'a student', 'a fisherman', 'a mechanic', 'a waiter', 'a cowboy', 'a surfer',
  'a painter', 'a musician', 'a judge', 'a priest', 'a lifeguard', 'a mail carrier', 'a dancer',
  'a boxer', 'a model', 'a tourist', 'a hiker', 'a delivery driver', 'a street vendor',
  'a person in a raincoat', 'a magician',
];

const PERSON_FRAMES = [
  'a portrait of {}',
  '{} smiling at the camera',
  'a candid photo of {}',
  '{} standing outdoors',
  'a headshot of {}',
];

const PERSON_LINES = [
  'a face in profile', 'a person seen from behind', 'a selfie of a young woman', 'hands holding each other',
  'an old wrinkled face', 'a freckled face', 'a child with missing front teeth', 'a person with a beard',
  'a woman with long braids', 'people of different ages', 'a man in traditional dress',
  'a woman in an evening gown', 'a person in a hoodie', 'an athlete in uniform', 'a masked face',
  'twin sisters side by side', 'a mother holding her baby', 'a father and son fishing', 'a baby in a crib',
  'a family of four posing together', 'a group of friends on a sofa', 'a crowd of strangers',
  'a man in a wheelchair in a park', 'an elderly couple holding hands',
];

/** Things one person does. */
const SOLO_ACTIONS = [
  'riding a bicycle', 'reading a book', 'playing the guitar', 'painting a picture', 'writing a letter',
  'typing on a laptop', 'talking on the phone', 'taking a selfie', 'sleeping', 'eating a sandwich',
  'crying', 'pointing at something', 'carrying a box', 'walking a dog', 'fishing from a dock',
  'gardening', 'sweeping the floor', 'hammering a nail', 'skateboarding', 'surfing a wave',
  'skiing downhill', 'snowboarding', 'boxing', 'throwing a ball', 'kicking a ball', 'catching a frisbee',
  'rowing a boat', 'diving into a pool', 'riding a horse', 'brushing teeth', 'tying a shoelace',
  'singing into a microphone', 'playing the piano', 'juggling', 'doing a handstand', 'climbing stairs',
  'knitting a scarf', 'studying for an exam', 'jumping in the air', 'falling over', 'climbing a tree',
  'swinging on a swing', 'sliding down a slide', 'jumping rope', 'vacuuming a rug', 'sewing a button',
];

/** Things one person or several people do. */
const SHARED_ACTIONS = [
  'running along a beach', 'swimming laps', 'climbing a rock wall', 'dancing', 'cooking dinner',
  'laughing', 'waving hello', 'feeding ducks', 'washing dishes', 'playing soccer', 'playing basketball',
  'playing tennis', 'ice skating', 'doing yoga', 'flying a kite', 'blowing bubbles',
  'building a sandcastle', 'hiking up a mountain', 'shopping for groceries', 'sitting on a bench',
  'waiting for a bus', 'crossing the street', 'chopping vegetables', 'baking bread', 'playing chess',
  'playing video games', 'watching television', 'taking a photo', 'praying', 'meditating',
  'stretching', 'sprinting', 'splashing in a puddle', 'throwing snowballs', 'planting trees',
  'playing cards', 'pulling a rope',
];

/** Things one grown-up does. */
const ADULT_ACTIONS = [
  'drinking coffee', 'fixing a car', 'sawing wood', 'lifting weights', 'mowing the lawn',
  'doing laundry', 'pushing a stroller', 'pouring a drink', 'giving a speech', 'teaching a class',
  'ironing a shirt', 'shaving', 'painting a wall', 'changing a tire', 'driving a car', 'paying at a register',
];

const ADULT_SUBJECTS = ['a man', 'a woman', 'an old man', 'an old woman', 'a young woman', 'a young man'];
const SOLO_SUBJECTS = ['a man', 'a woman', 'a child', 'a boy', 'a girl', 'a teenager', 'an old man', 'an old woman', 'someone'];
const ANY_SUBJECTS = [...SOLO_SUBJECTS, 'a group of friends', 'people', 'a couple', 'two kids'];

const ACTION_LINES = [
  'a person mid-jump', 'a runner crossing the finish line', 'a goalkeeper diving for the ball',
  'a chef flipping a pancake', 'a waiter carrying plates', 'a dancer spinning', 'a cyclist racing',
  'a climber on a cliff face', 'a swimmer diving in', 'a baby taking first steps',
  'a crowd cheering', 'hands typing on a keyboard', 'hands kneading dough', 'a skier in mid-air',
  'two people hugging each other', 'two men shaking hands',
];

const EVENTS = [
  'a wedding', 'a birthday party', 'a graduation ceremony', 'a rock concert', 'a music festival',
  'a street parade', 'a protest march', 'a funeral', 'a carnival', 'a fireworks show',
  'a Christmas celebration', 'a Halloween party', 'a Diwali celebration', 'a Lunar New Year parade',
  'a Thanksgiving dinner', 'a baby shower', 'a marathon', 'a football match', 'an award ceremony',
  'a business conference', 'a picnic', 'a backyard barbecue', 'a family reunion',
  'a street fair', 'a rodeo', 'a circus performance', 'a fashion show', 'a gallery opening',
  'a press conference', 'a political rally', 'a religious ceremony', 'a baptism', 'a school prom',
  'a tea party', 'a sleepover', 'a bake sale', 'a yard sale', 'an Easter egg hunt',
  'a New Year countdown', 'a cooking competition', 'a chess tournament', 'a boxing match',
  'a horse race', 'a car show', 'a book signing', 'a school play', 'a talent show', 'an opera night',
  'a dinner party', 'a surprise party', 'a charity run', 'a Pride parade', 'an Oktoberfest celebration',
  'a state funeral', 'a royal wedding', 'a science fair', 'a job fair', 'a county fair',
  'a karaoke night',
];

const EVENT_FRAMES = ['people at {}', 'a photo from {}', 'getting ready for {}'];

const EVENT_LINES = [
  'a cake with lit candles', 'confetti falling on a crowd', 'a bride throwing a bouquet',
  'people raising a toast', 'a red carpet with photographers', 'a ribbon-cutting ceremony',
  'a stage with a band playing', 'balloons and streamers at a party', 'a wrapped gift with a bow',
  'a graduation cap thrown in the air', 'a festival crowd at night', 'lanterns released into the sky',
  'a decorated Christmas tree', 'carved pumpkins on a porch',
];

export const beingDescriptions = {
  animal: [...ANIMAL_GROUPS.flatMap(({ animals, frames }) => rotate(animals, frames, 2)), ...ANIMAL_LINES],
  plant: [...rotate(SMALL_PLANTS, SMALL_PLANT_FRAMES, 2), ...rotate(LARGE_PLANTS, LARGE_PLANT_FRAMES, 2), ...PLANT_LINES],
  person: [...rotate(PEOPLE, PERSON_FRAMES, 2), ...PERSON_LINES],
  action: [
    ...withSubjects(SOLO_ACTIONS.map((a) => `{} ${a}`), SOLO_SUBJECTS, 2),
    ...withSubjects(ADULT_ACTIONS.map((a) => `{} ${a}`), ADULT_SUBJECTS, 2),
    ...withSubjects(SHARED_ACTIONS.map((a) => `{} ${a}`), ANY_SUBJECTS, 2),
    ...ACTION_LINES,
  ],
  event: [...rotate(EVENTS, EVENT_FRAMES, 2), ...EVENT_LINES],
};
