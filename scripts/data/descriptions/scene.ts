/**
 * Descriptions about where and when a photo was taken: place, geography, weather, lighting.
 * Written for this project (American spelling, see visual.ts).
 */
import { rotate, withSubjects } from '../compose.ts';

const INDOOR_PLACES = [
  'a kitchen', 'a bathroom', 'a bedroom', 'a living room', 'a classroom', 'an office', 'a library',
  'a hospital ward', 'a gym', 'a supermarket', 'a shopping mall', 'a train station',
  'an airport terminal', 'a subway station', 'a parking garage', 'a restaurant', 'a cafe', 'a bar',
  'a bakery', 'a factory', 'a warehouse', 'a laboratory', 'a church', 'a museum gallery',
  'a theater', 'a concert hall', 'a hotel lobby', 'a hotel room', 'a laundromat', 'a barbershop',
  'a hair salon', 'a bookstore', 'a pharmacy', 'a post office', 'a fire station', 'a bowling alley',
  'an arcade', 'a casino', 'a nightclub', 'a server room', 'a recording studio', 'an art studio',
  'a dentist office', 'a waiting room', 'a courtroom', 'a prison cell', 'an attic', 'a basement',
  'a hallway', 'a garage workshop', 'an elevator', 'a locker room', 'a dining hall', 'a nursery',
];

const URBAN_PLACES = [
  'a stadium', 'a swimming pool', 'a playground', 'a city park', 'a farm', 'a vineyard', 'a harbor',
  'a marina', 'a city street', 'a narrow alley', 'a town square', 'an open-air market',
  'a rooftop terrace', 'a campsite', 'a sandy beach', 'a cemetery', 'a construction site',
  'a gas station', 'a pier', 'a ski slope', 'a golf course', 'a tennis court', 'a zoo',
  'an amusement park', 'a suburban street', 'a parking lot', 'a railway crossing', 'a bus stop',
  'a schoolyard', 'a junkyard', 'a skate park', 'a botanical garden', 'a train yard',
];

const NATURAL_PLACES = [
  'a cave', 'a forest trail', 'a mountain pass', 'a lake shore', 'a riverbank', 'a waterfall',
  'a canyon', 'a wheat field', 'a meadow', 'a quarry', 'a swamp', 'a glacier', 'a rocky coastline',
  'a desert', 'a jungle', 'a volcano crater', 'an orchard', 'a pine forest', 'a marsh', 'a sand dune',
  'a prairie', 'a gorge',
];

const INDOOR_FRAMES = ['a photo taken inside {}', 'the interior of {}', '{} with nobody around', '{} seen from the doorway'];
const URBAN_FRAMES = ['a view of {}', '{} with nobody around', '{} on a busy afternoon'];
const NATURAL_FRAMES = ['a view of {}', 'the edge of {}', '{} far from any town'];

const PLACE_LINES = [
  'an empty room', 'a crowded public place', 'a place indoors', 'somewhere outdoors in nature',
  'a cramped storage closet', 'a grand ballroom', 'a tiny studio apartment', 'a cluttered workshop',
  'an abandoned factory', 'a hospital corridor', 'the lobby of an office tower', 'a spiral staircase',
  'a covered bridge', 'an underground tunnel', 'a mountain hut', 'a farmhouse kitchen',
  'a backyard with a lawn', 'a front porch with rocking chairs', 'a barn full of hay',
  'a highway rest stop',
];

const CITIES = [
  'Paris', 'Tokyo', 'New York City', 'London', 'Rome', 'Venice', 'Istanbul', 'Cairo', 'Marrakech',
  'Mumbai', 'Beijing', 'Shanghai', 'Hong Kong', 'Seoul', 'Bangkok', 'Hanoi', 'Sydney', 'Barcelona',
  'Lisbon', 'Amsterdam', 'Prague', 'Moscow', 'Dubai', 'Rio de Janeiro', 'Mexico City', 'Havana',
  'Chicago', 'San Francisco', 'Las Vegas', 'Kyoto', 'Singapore', 'Buenos Aires', 'Cape Town',
  'Nairobi', 'Jaipur', 'Stockholm', 'Edinburgh', 'Vienna', 'Toronto', 'Lima',
];

const CITY_FRAMES = [
  'a street scene in {}',
  'the skyline of {}',
  'rooftops of {}',
  'a busy market in {}',
  'a postcard from {}',
  'a walk through {}',
  'old buildings in {}',
];

const REGIONS = [
  'Iceland', 'Norway', 'Scotland', 'Ireland', 'the Swiss Alps', 'Greece', 'Tuscany', 'Provence',
  'Bavaria', 'Kenya', 'Tanzania', 'the Sahara', 'Madagascar', 'Morocco', 'Egypt', 'Brazil',
  'the Amazon', 'Peru', 'Patagonia', 'Mexico', 'Cuba', 'Jamaica', 'Canada', 'Alaska', 'Hawaii',
  'Texas', 'California', 'Arizona', 'the Arctic', 'Antarctica', 'the Himalayas', 'Nepal', 'Mongolia',
  'Siberia', 'Japan', 'China', 'India', 'Vietnam', 'Indonesia', 'the Philippines', 'Australia',
  'the Australian Outback', 'New Zealand', 'Finland', 'the Netherlands', 'Turkey', 'Bali',
  'the Scottish Highlands', 'Namibia', 'Chile',
];

const REGION_FRAMES = [
  'a landscape in {}',
  'the countryside of {}',
  'a small village in {}',
  'a road trip through {}',
  'a traditional house in {}',
  'a map of {}',
];

const LANDMARKS = [
  'the Eiffel Tower', 'the Great Wall of China', 'the Taj Mahal', 'the Colosseum',
  'the Statue of Liberty', 'the pyramids of Giza', 'Big Ben', 'the Sydney Opera House',
  'Mount Fuji', 'the Golden Gate Bridge', 'the Acropolis', 'Stonehenge', 'Angkor Wat',
  'Christ the Redeemer', 'Niagara Falls', 'Uluru', 'Mount Everest', 'the Leaning Tower of Pisa',
  'the Kremlin', 'Neuschwanstein Castle', 'the Burj Khalifa', 'Times Square', 'the Sagrada Familia',
  'Table Mountain', 'the Matterhorn', 'Victoria Falls', 'Machu Picchu', 'Petra', 'the Grand Canyon',
  'Tower Bridge', 'the Brandenburg Gate', 'the Forbidden City', 'Mont Saint-Michel',
  'the Hollywood sign', 'the Parthenon', 'the Hagia Sophia',
];

const LANDMARK_FRAMES = ['a photo of {}', 'tourists visiting {}', '{} seen from far away', 'a souvenir model of {}'];

const GEOGRAPHY_LINES = [
  'a world map', 'a globe on a desk', 'a map of Africa', 'a map of Europe', 'a map of South America',
  'a map of Asia', 'a tropical island in the Pacific', 'a fjord in Scandinavia',
  'rice terraces in Southeast Asia', 'a savanna in East Africa', 'a Mediterranean coastal town',
  'a Caribbean beach', 'a Nordic fishing village', 'a Middle Eastern bazaar', 'an Alpine village',
  'a Japanese temple garden', 'a Chinese pagoda', 'an Indian street market', 'a Russian orthodox church',
  'a Dutch windmill', 'an English country cottage', 'a Greek island with white houses',
  'a Mexican plaza', 'an American diner on Route 66', 'a Thai floating market',
];

const WEATHER_CONDITIONS = [
  'in heavy rain', 'in light drizzle', 'in thick fog', 'in morning mist', 'during a blizzard',
  'during a thunderstorm', 'under a clear blue sky', 'under heavy storm clouds', 'after a storm',
  'in a snowstorm', 'covered in fresh snow', 'covered in frost', 'during a heat wave',
  'in strong wind', 'under an overcast sky', 'in a sandstorm', 'during a flood', 'in freezing sleet',
  'during a hailstorm', 'under a rainbow', 'in hazy smog', 'in a light snowfall',
  'under scattered white clouds', 'in a summer downpour', 'in icy winter weather',
  'on a humid tropical day', 'on a crisp cold morning', 'in autumn', 'in spring', 'in winter',
  'in summer', 'under gray rain clouds', 'in swirling dust', 'in pouring rain at night',
];

const WEATHER_SCENES = [
  'a city street', 'a country road', 'a harbor', 'a forest', 'a farmhouse', 'a mountain village',
  'a playground', 'a football field', 'a bus stop', 'a lighthouse', 'a park bench', 'a vineyard',
  'a beach', 'an open field', 'a bridge', 'a highway', 'a garden', 'a train platform',
];

const WEATHER_LINES = [
  'a rainy day', 'a sunny day', 'a foggy morning', 'a snowy day', 'a stormy sky', 'a windy day',
  'lightning striking over a city', 'a tornado touching down', 'a hurricane hitting the coast',
  'a rainbow after the rain', 'raindrops on a window', 'puddles on the sidewalk',
  'icicles hanging from a roof', 'snow piled on parked cars', 'trees bent by the wind',
  'a person holding an umbrella in the rain', 'dark clouds gathering', 'hail on the ground',
  'frost on a car windshield', 'dew on morning grass', 'fallen autumn leaves', 'spring blossoms on trees',
  'a scorching summer day', 'a frozen lake', 'a flooded street', 'heat shimmering over a road',
  'cumulus clouds in a blue sky', 'wispy cirrus clouds', 'low clouds over hills',
  'a dust storm approaching', 'steam rising in cold air', 'a sky full of snowflakes',
  'sleet on a windshield', 'a weather map on TV', 'drought-cracked fields', 'melting snow',
];

const TIMES_OF_DAY = [
  'at sunrise', 'at dawn', 'at noon', 'at golden hour', 'at sunset', 'at dusk', 'at twilight',
  'during the blue hour', 'at midnight', 'at night',
];

const TIME_SCENES = [
  'a street', 'a field', 'a harbor', 'a city skyline', 'a beach', 'a forest', 'a mountain lake',
  'a parking lot', 'a farmhouse', 'a rooftop', 'a highway', 'a train station', 'a bridge',
  'a desert', 'a suburban house', 'a pier',
];

const LIGHT_SOURCES = [
  'candlelight', 'neon signs', 'moonlight', 'a single bare bulb', 'fluorescent tubes', 'streetlights',
  'a campfire', 'a flashlight', 'stage spotlights', 'fairy lights', 'paper lanterns',
  'a computer screen', 'a television glow', 'car headlights', 'a desk lamp', 'a fireplace',
  'a red darkroom light', 'ultraviolet black light', 'strobe lights', 'a lighthouse beam',
  'a lightning flash', 'a phone screen', 'a setting sun', 'a ring light',
];

const LIGHT_FRAMES = ['a room lit only by {}', 'a face lit by {}', 'a scene lit by {}'];

const LIGHTING_LINES = [
  'harsh shadows at midday', 'a backlit silhouette', 'soft window light', 'dappled sunlight through leaves',
  'lens flare from the sun', 'long shadows in the evening', 'a dimly lit room', 'a pitch dark room',
  'bright studio lighting', 'dramatic low-key lighting', 'bright high-key lighting',
  'rim light around a figure', 'sun rays through the clouds', 'light beams through a dusty window',
  'light rays underwater', 'glowing windows at night', 'a spotlight on an empty stage',
  'laser beams in a dark club', 'colored light through a window', 'flat even light on a cloudy day',
  'warm indoor lamplight', 'cold blue light', 'a sunbeam on the floor', 'deep shadows in an alley',
  'city lights at night', 'stars in a dark sky', 'the glow of a sunset',
];

export const sceneDescriptions = {
  place: [
    ...rotate(INDOOR_PLACES, INDOOR_FRAMES, 2),
    ...rotate(URBAN_PLACES, URBAN_FRAMES, 2),
    ...rotate(NATURAL_PLACES, NATURAL_FRAMES, 2),
    ...PLACE_LINES,
  ],
  geography: [
    ...rotate(CITIES, CITY_FRAMES, 2),
    ...rotate(REGIONS, REGION_FRAMES, 1),
    ...rotate(LANDMARKS, LANDMARK_FRAMES, 1),
    ...GEOGRAPHY_LINES,
  ],
  weather: [...withSubjects(WEATHER_CONDITIONS.map((w) => `{} ${w}`), WEATHER_SCENES, 3), ...WEATHER_LINES],
  lighting: [
    ...withSubjects(TIMES_OF_DAY.map((t) => `{} ${t}`), TIME_SCENES, 5),
    ...rotate(LIGHT_SOURCES, LIGHT_FRAMES, 2),
    ...LIGHTING_LINES,
  ],
};
